module Functional.Tests.Data.EncodingTests

open System
open Expecto
open Functional
open Functional.Data

[<Tests>]
let tests =
    testList
        "Data.Encoding"
        [
            test "one-hot encoding" {
                let t = OneHot.encode 3 [| 2; 0 |]
                Expect.equal t.Shape [| 2; 3 |] "shape"
                Expect.equal (t.ToArray<float32>()) [| 0.0f; 0.0f; 1.0f; 1.0f; 0.0f; 0.0f |] "values"

                Expect.equal
                    ((OneHot.encodeTensor 3 (Batch.labels [| 1 |])).ToArray<float32>())
                    [| 0.0f; 1.0f; 0.0f |]
                    "from a tensor"

                Expect.equal (OneHot.vector 4 3) [| 0.0f; 0.0f; 0.0f; 1.0f |] "vector"

                let e =
                    Catch.throws<ArgumentException>
                        (fun () -> OneHot.encode 3 [| 0; 3 |] |> ignore)
                        "out of range"

                Expect.stringContains e.Message "label 3 at position 1" "names the label"
            }

            test "label encoding: sorted classes, encode, decode, unknown values, JSON" {
                let e = LabelEncoding.fit [ "spam"; "ham"; "spam"; "eggs" ]
                Expect.equal e.Classes [| "eggs"; "ham"; "spam" |] "classes"
                Expect.equal (LabelEncoding.encodeAll e [ "spam"; "eggs" ]) [| 2; 0 |] "encode"
                Expect.equal (LabelEncoding.decode e 1) "ham" "decode"

                Expect.throwsT<ArgumentException>
                    (fun () -> LabelEncoding.encode e "bacon" |> ignore)
                    "unknown"

                Expect.throwsT<ArgumentException> (fun () -> LabelEncoding.decode e 3 |> ignore) "bad index"
                Expect.equal (LabelEncoding.ofJson (LabelEncoding.toJson e)) e "JSON round trip"
            }
        ]
