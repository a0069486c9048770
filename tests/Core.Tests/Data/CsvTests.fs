module Functional.Tests.Data.CsvTests

open System
open System.IO
open System.IO.Compression
open System.Text
open Expecto
open Functional.Data

let private opts = CsvOptions.Default

[<Tests>]
let tests =
    testList
        "Data.Csv"
        [
            test "header, inferred types and missing values" {
                let t = Csv.ofText opts "name,age,score\nann,31,1.5\nbob,NA,2e3\n cy , 7 ,\n"
                Expect.equal t.Header [| "name"; "age"; "score" |] "header"
                Expect.equal t.RowCount 3 "rows"
                Expect.equal (t.Column "name").Kind Text "text column"
                Expect.equal (t.Column "name").Texts [| "ann"; "bob"; "cy" |] "trimmed texts"
                Expect.equal (t.Column "age").Kind Numeric "numeric column"
                Expect.equal (t.Column "age").Missing [| false; true; false |] "missing"
                let age = t.Numbers "age"
                Expect.equal (age[0], age[2]) (31.0, 7.0) "numbers"
                Expect.isTrue (Double.IsNaN age[1]) "NaN where missing"
                Expect.equal (t.Numbers "score").[1] 2000.0 "exponent"
                Expect.isTrue (Double.IsNaN (t.Numbers "score").[2]) "empty is missing"
                Expect.throwsT<ArgumentException> (fun () -> t.Numbers "name" |> ignore) "text as numbers"

                let e =
                    Catch.throws<ArgumentException> (fun () -> t.Column "nope" |> ignore) "unknown column"

                Expect.stringContains e.Message "name, age, score" "lists the columns"
            }

            test "numeric columns become feature rows and tensors; missing values are refused" {
                let t = Csv.ofText opts "a,b,c\n1,2,x\n3,4,y\n5,,z\n"
                Expect.equal (Csv.features [ "a" ] t) [| [| 1.0f |]; [| 3.0f |]; [| 5.0f |] |] "rows"
                let x = Csv.toTensor [ "a"; "a" ] t
                Expect.equal x.Shape [| 3; 2 |] "tensor shape"
                Expect.equal (x.ToArray<float32>()) [| 1.0f; 1.0f; 3.0f; 3.0f; 5.0f; 5.0f |] "tensor values"

                let e =
                    Catch.throws<ArgumentException> (fun () -> Csv.features [ "b" ] t |> ignore) "missing"

                Expect.stringContains e.Message "data row 3" "names the row"
                Expect.throwsT<ArgumentException> (fun () -> Csv.toTensor [ "c" ] t |> ignore) "text column"
            }

            test "quoted fields hold separators, newlines and doubled quotes" {
                let t = Csv.ofText opts "a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",3\r\n"
                Expect.equal (t.Column "a").Texts [| "x, y"; "two\nlines" |] "a"
                Expect.equal (t.Column "b").Texts [| "say \"hi\""; "3" |] "b"
            }

            test "ragged rows raise InvalidDataException naming the line" {
                let e =
                    Catch.throws<InvalidDataException>
                        (fun () -> Csv.ofText opts "a,b\n1,2\n\n3,4,5\n" |> ignore)
                        "throws"

                Expect.stringContains e.Message "line 4 has 3 fields but the header has 2" "message"
            }

            test "an unclosed quote raises InvalidDataException" {
                Expect.throwsT<InvalidDataException>
                    (fun () -> Csv.ofText opts "a\n\"open\n" |> ignore)
                    "throws"
            }

            test "no header, other separators and skipped lines" {
                let t =
                    Csv.ofText
                        { opts with
                            HasHeader = false
                            Separator = ' '
                            SkipLines = 1
                        }
                        "junk line\n1 2\n3 4\n"

                Expect.equal t.Header [| "column0"; "column1" |] "generated names"
                Expect.equal (t.Numbers "column1") [| 2.0; 4.0 |] "values"
            }

            test "files: plain and gzip, read whole or streamed" {
                let dir = Directory.CreateTempSubdirectory("functional-csv-test-").FullName
                let text = "x,y\n1,a\n2,b\n"
                let plain = Path.Combine(dir, "p.csv")
                File.WriteAllText(plain, text)
                let gz = Path.Combine(dir, "p.csv.gz")

                do
                    use f = File.Create gz
                    use z = new GZipStream(f, CompressionLevel.Fastest)
                    z.Write(Encoding.UTF8.GetBytes text)

                for p in [ plain; gz ] do
                    Expect.equal ((Csv.read opts p).Numbers "x") [| 1.0; 2.0 |] $"read {p}"

                    Expect.equal
                        (Csv.rows opts p |> Seq.map (fun r -> r[1]) |> List.ofSeq)
                        [ "a"; "b" ]
                        $"rows {p}"

                Expect.equal (TextFile.lines gz |> List.ofSeq) [ "x,y"; "1,a"; "2,b" ] "text lines"
                Expect.equal (TextFile.read plain) text "text"

                Expect.throwsT<FileNotFoundException>
                    (fun () -> Csv.read opts (Path.Combine(dir, "none.csv")) |> ignore)
                    "missing"
            }
        ]
