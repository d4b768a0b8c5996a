import GridSyncCore
import Testing

@Suite("Personal data masking")
struct PersonalDataMaskTests {
    @Test("names keep the first character, phones and ID numbers their ends; short values are starred whole")
    func masks() {
        #expect(PersonalDataMask.name("张三") == "张*")
        #expect(PersonalDataMask.name("张") == "张*", "a one-character name is never shown whole")
        #expect(PersonalDataMask.name("欧阳娜娜") == "欧***")
        #expect(PersonalDataMask.phone("13800000000") == "138****0000")
        #expect(PersonalDataMask.idNumber("11010519491231002X") == "110***********002X")
        #expect(PersonalDataMask.phone("1234567") == "*******")
        #expect(PersonalDataMask.name("") == "")
    }

    @Test("only a household member's identifying values are masked; other fields and kinds pass through")
    func fields() {
        let member: FieldValue = ["id": "m1", "name": "王秀英", "relation": "head", "phone": "13800138000",
                                  "idNumber": "11010519491231002X", "tags": ["elderlyLivingAlone"]]
        let masked = PersonalDataMask.mask(member, at: FieldPath("members/m1")!, of: .household)
        #expect(masked == ["id": "m1", "name": "王**", "relation": "head", "phone": "138****8000",
                           "idNumber": "110***********002X", "tags": ["elderlyLivingAlone"]])
        #expect(PersonalDataMask.mask("每周探访", at: FieldPath("notes")!, of: .household) == "每周探访")
        #expect(PersonalDataMask.mask(member, at: FieldPath("members/m1")!, of: .householdVisit) == member)
        let partial: FieldValue = ["id": "m2", "name": "李四", "relation": "child"]
        #expect(PersonalDataMask.mask(partial, at: FieldPath("members/m2")!, of: .household) == ["id": "m2", "name": "李*", "relation": "child"])
    }
}
