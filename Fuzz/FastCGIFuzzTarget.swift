// libFuzzer target for the FastCGI record decoder: any bytes, split where the first byte
// says, must decode to records or fail with a FastCGIProtocolError, never crash; the records
// must not depend on the split; re-encoded, they must decode to themselves; and the content
// of each record must decode as name-value pairs or fail with an error.
@testable import CGI

@_cdecl("LLVMFuzzerTestOneInput")
public func fastCGIFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let split = input.isEmpty ? 0 : Int(data[0]) % (input.count + 1)

    func decode(_ pieces: [ArraySlice<UInt8>]) -> ([FastCGIRecord], FastCGIProtocolError?) {
        var decoder = FastCGIRecordDecoder()
        var records: [FastCGIRecord] = []
        do {
            for piece in pieces {
                decoder.append(Array(piece))
                while let record = try decoder.next() { records.append(record) }
            }
        } catch {
            return (records, error)
        }
        return (records, nil)
    }

    let whole = decode([input[...]])
    let split2 = decode([input[..<split], input[split...]])
    precondition(whole.0 == split2.0 && whole.1 == split2.1, "the split changed the records")

    var encoded: [UInt8] = []
    for record in whole.0 {
        FastCGIRecordEncoder.append(record, to: &encoded)
        _ = try? FastCGINameValuePairs.decode(record.content)
    }
    let again = decode([encoded[...]])
    precondition(again.0 == whole.0 && again.1 == nil, "re-encoded records decode differently")
    return 0
}
