/// Checks for the personal identifiers a household record holds.
///
/// They reject malformed input precisely but never echo it: the error names the field only.
enum IdentityRules {
    /// A mainland resident identity number: 17 digits and a check character (digit or X),
    /// verified with the ISO 7064 MOD 11-2 checksum that GB 11643 specifies.
    static func checkIDNumber(_ text: String, at field: String) throws {
        let characters = Array(text.uppercased().utf8)
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let checkCharacters = Array("10X98765432".utf8)
        guard characters.count == 18,
              characters.prefix(17).allSatisfy({ (48...57).contains($0) }) else {
            throw ValidationError(.malformedIDNumber, field: field, "an ID number is 17 digits and a check digit or X")
        }
        let sum = zip(characters.prefix(17), weights).reduce(0) { $0 + Int($1.0 - 48) * $1.1 }
        guard characters[17] == checkCharacters[sum % 11] else {
            throw ValidationError(.malformedIDNumber, field: field, "the ID number's check digit does not match")
        }
    }

    /// A mainland mobile (11 digits from 13 to 19) or a landline with area code (0xx-xxxxxxxx).
    static func checkPhone(_ text: String, at field: String) throws {
        let bytes = Array(text.utf8)
        let isDigit = { (byte: UInt8) in (48...57).contains(byte) }
        let isMobile = bytes.count == 11 && bytes[0] == UInt8(ascii: "1")
            && (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(bytes[1]) && bytes.allSatisfy(isDigit)
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let isLandline = parts.count == 2 && parts[0].first == "0"
            && (3...4).contains(parts[0].count) && (7...8).contains(parts[1].count)
            && parts.allSatisfy { $0.utf8.allSatisfy(isDigit) }
        guard isMobile || isLandline else {
            throw ValidationError(.malformedPhone, field: field, "a phone is an 11-digit mobile or 0xx-xxxxxxxx")
        }
    }

    /// WGS-84 latitude and longitude.
    static func checkCoordinate(latitude: Double, longitude: Double, at field: String) throws {
        guard (-90...90).contains(latitude), (-180...180).contains(longitude),
              latitude.isFinite, longitude.isFinite else {
            throw ValidationError(.coordinateOutOfRange, field: field, "latitude is -90...90 and longitude -180...180")
        }
    }
}
