import FieldClient
import Foundation
import GridSyncCore

/// The shared ledger, behind an actor because terminals edit concurrently.
actor LedgerBox {
    var ledger = EditLedger()

    func record(lineage: String, change: Change, fields: [FieldPath], knownSettle: Int) {
        for field in fields {
            guard let write = change.writes[field] else { continue }
            ledger.record(lineage: lineage, record: change.record, field: field, value: write.value, knownSettle: knownSettle)
        }
    }

    func pushed(lineage: String, visibleFrom settle: Int) { ledger.pushed(lineage: lineage, visibleFrom: settle) }

    func looksContested(_ record: RecordKey, _ field: FieldPath, lineage: String, knownSettle: Int) -> Bool {
        ledger.looksContested(record, field, lineage: lineage, knownSettle: knownSettle)
    }

    func expectedConflicts() -> Set<FieldKey> { ledger.expectedConflicts() }
}

/// Household fields two people may both edit; everything else a terminal writes is its own.
enum SharedField {
    static let notes = FieldPath("notes")!
    static let type = FieldPath("type")!
    static let member = FieldPath("members/m1")!
    static let all = [notes, type, member]
}

extension SimTerminal {
    static let dayStart = Date(timeIntervalSince1970: 1_795_000_000)

    static func householdID(grid: Int, number: Int) -> RecordID { RecordID("hh-\(grid)-\(number)")! }

    /// The `number`-th household of a grid, as its worker registers it.
    static func household(id: RecordID, grid: GridPath, number: Int) -> Household {
        Household(
            id: id, grid: grid,
            address: Address(building: "\(number / 4 + 1)栋", unit: "\(number % 4 + 1)单元", room: "\(100 + number)"),
            type: number % 5 == 0 ? .rented : .resident,
            members: [Member(id: RecordID("m1")!, name: "居民\(number)", relation: .head, phone: "1380000\(String(format: "%04d", number))")])
    }

    /// The grid worker registers the households of its grid before the day starts.
    func createHouseholds(gridIndex: Int, count: Int, ledger: LedgerBox) async throws {
        for number in 0..<count {
            let change = try await client.create(Self.household(id: Self.householdID(grid: gridIndex, number: number), grid: profile.grid, number: number))
            note(change)
            await ledger.record(lineage: profile.worker, change: change, fields: SharedField.all, knownSettle: knownSettle)
        }
    }

    /// One round of a day: a patrol with its track and findings, door-to-door visits, household
    /// edits and the visit log, all offline.
    func work(round: Int, gridIndex: Int, scenario: Scenario, ledger: LedgerBox, random: inout SplitMix64) async throws {
        let per = scenario.perRound
        let now = Self.dayStart.addingTimeInterval(Double(round) * 4 * 3_600 + skew)
        let grid = profile.grid
        if !profile.isCadre {
            let patrolID = RecordID("pt-\(profile.worker)-r\(round)")!
            note(try await client.create(Patrol(id: patrolID, grid: grid, worker: profile.worker, startedAt: now)))
            var point = 0
            for batch in 0..<per.trackPointBatches {
                note(try await client.update(Patrol.self, id: patrolID) { patrol in
                    for _ in 0..<per.trackPointsPerBatch {
                        point += 1
                        patrol.trackPoints.append(TrackPoint(
                            id: RecordID("p\(point)")!, position: Coordinate(latitude: 22.5 + Double(point) * 1e-4, longitude: 114.05 + Double(batch) * 1e-4),
                            recordedAt: now.addingTimeInterval(Double(point) * 30)))
                    }
                })
            }
            // Photos roll on a stream of their own, drawn whether or not the day has photos: the
            // day with photos and the same day without are then the same records, change for
            // change, and comparing their latency compares photos and nothing else.
            var lens = SplitMix64(seed: random.next() ^ 0x70_68_6f_74_6f)
            for finding in 0..<per.findings {
                let photo = scenario.photos.findingShare > 0 && lens.chance(scenario.photos.findingShare)
                    ? try await client.takePhoto(PhotoLoad.bytes(seed: lens.next(), count: scenario.photos.size(&lens)),
                                                 findingID: RecordID("f\(finding)")!)
                    : nil
                if let photo, finding == 0 { findingPhotos[round] = photo }
                note(try await client.update(Patrol.self, id: patrolID) { patrol in
                    patrol.findings.append(Finding(
                        id: RecordID("f\(finding)")!, category: FindingCategory.allCases[Int(random.next() % 6)], severity: .medium,
                        location: Coordinate(latitude: 22.51, longitude: 114.05), description: "巡查发现问题\(finding)",
                        handledOnSpot: random.next() % 10 != 0, reportedAt: now.addingTimeInterval(600)))
                    patrol.photos.append(photo ?? PhotoReference(id: RecordID("ph\(finding)")!, findingID: RecordID("f\(finding)")!,
                                                                  uri: "photo://\(patrolID)/\(finding).jpg"))
                })
            }
            note(try await client.update(Patrol.self, id: patrolID) { $0.endedAt = now.addingTimeInterval(3_600) })
        }
        for visit in 0..<per.visits {
            let household = Self.householdID(grid: gridIndex, number: Int(random.next() % UInt64(max(scenario.householdsPerGrid, 1))))
            let outcome = VisitOutcome.allCases[Int(random.next() % 3)]
            note(try await client.create(HouseholdVisit(
                id: RecordID("hv-\(profile.worker)-g\(generation)-r\(round)-\(visit)")!, grid: grid, householdID: household, visitor: profile.worker,
                visitedAt: now.addingTimeInterval(Double(visit) * 900), outcome: outcome,
                peopleMet: outcome == .met ? [RecordID("m1")!] : [],
                needs: outcome == .met ? [Need(id: RecordID("n1")!, category: .elderlyCare, text: "需要助餐", handling: .escalated, raisedAt: now)] : [])))
        }
        for edit in 0..<per.householdEdits {
            try await editHousehold(gridIndex: gridIndex, round: round, edit: edit, scenario: scenario, ledger: ledger, random: &random)
        }
        if !profile.isCadre {
            let logID = RecordID("vl-\(profile.worker)")!
            for entry in 0..<per.logEntries {
                let line = LogEntry(id: RecordID("r\(round)e\(entry)")!, at: now.addingTimeInterval(7_200), text: "第\(round)轮巡查完毕")
                if round == 0 && entry == 0 {
                    note(try await client.create(VisitLog(id: logID, grid: grid, worker: profile.worker, day: CalendarDay("2026-11-18")!, entries: [line])))
                } else {
                    note(try await client.update(VisitLog.self, id: logID) { $0.entries.append(line) })
                }
            }
            if round == scenario.rounds - 1 {
                note(try await client.update(VisitLog.self, id: logID) { $0.summary = "今日走访\(per.visits * scenario.rounds)户" })
            }
        }
    }

    /// Edits one field of a household in the grid; the cadre leans towards `notes`, which the
    /// grid worker edits too. A field the handset shows as under review is left alone.
    private func editHousehold(gridIndex: Int, round: Int, edit: Int, scenario: Scenario, ledger: LedgerBox, random: inout SplitMix64) async throws {
        let household = Self.householdID(grid: gridIndex, number: Int(random.next() % UInt64(max(scenario.householdsPerGrid, 1))))
        let roll = Double(random.next() >> 11) / Double(1 << 53)
        let field: FieldPath
        if profile.isCadre {
            field = roll < scenario.sharedFieldRate ? SharedField.notes : (roll < (1 + scenario.sharedFieldRate) / 2 ? SharedField.type : SharedField.member)
        } else {
            field = roll < 0.5 ? SharedField.notes : (roll < 0.75 ? SharedField.type : SharedField.member)
        }
        let key = RecordKey(kind: .household, id: household)
        if await ledger.looksContested(key, field, lineage: profile.worker, knownSettle: knownSettle) { return }
        let phone = "139" + String(format: "%08d", Int(random.next() % 100_000_000))
        let typeChoice = HouseholdType.allCases[Int(random.next() % 3)]
        let text = "\(profile.worker) 第\(round)轮 \(edit)"
        let change: Change?
        do {
            change = try await client.update(Household.self, id: household) { value in
                switch field {
                case SharedField.notes: value.notes = text
                case SharedField.type: value.type = typeChoice
                default: if !value.members.isEmpty { value.members[0].phone = phone }
                }
            }
        } catch let error as FieldClientError where error.code == .underReview {
            return
        }
        note(change)
        if let change { await ledger.record(lineage: profile.worker, change: change, fields: [field], knownSettle: knownSettle) }
    }
}
