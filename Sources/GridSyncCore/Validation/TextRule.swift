import Foundation

/// Length limits for free text, counted in characters as a worker types them.
enum TextRule {
    static func check(_ text: String, at field: String, maximum: Int, required: Bool = false) throws {
        if required && text.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError(.missing, field: field, "must not be empty")
        }
        guard text.count <= maximum else {
            throw ValidationError(.tooLong, field: field, "at most \(maximum) characters")
        }
    }

    static func checkCount(_ count: Int, at field: String, maximum: Int) throws {
        guard count <= maximum else {
            throw ValidationError(.tooMany, field: field, "at most \(maximum) items")
        }
    }
}
