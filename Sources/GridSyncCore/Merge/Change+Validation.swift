extension Change {
    /// Checks the change's structure, then every written value against its kind's schema.
    /// Throws the first ``ValidationError`` found, naming the field but never its value.
    public func validate() throws {
        try checkStructure()
        let schema = record.kind.schema
        for path in writes.keys.sorted() {
            try schema.validate(writes[path]!.value, at: path)
        }
    }

    /// The grid this change moves or creates the record in, when it writes one.
    public var writtenGrid: GridPath? {
        writes[FieldPath("grid")!]?.value.stringValue.flatMap(GridPath.init)
    }
}
