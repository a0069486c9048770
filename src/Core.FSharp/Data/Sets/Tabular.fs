namespace Functional.Data

/// Reads scikit-learn's small CSV files (first line: sample count, feature count, class names).
module internal SklearnCsv =
    /// (feature rows, labels, class names) of an embedded scikit-learn CSV with the label last.
    let load (file: string) =
        use r = Embedded.reader file
        let first = r.ReadLine().Split ','
        let classNames = first[2..]

        let t =
            Csv.readFrom
                { CsvOptions.Default with
                    HasHeader = false
                }
                file
                r

        let width = t.Columns.Length - 1
        let cols = t.Columns |> Array.map (fun c -> c.Numbers)

        let rows =
            Array.init t.RowCount (fun i -> Array.init width (fun j -> float32 cols.[j].[i]))

        rows, cols[width] |> Array.map int, classNames

    let dataset (rows: float32[][], labels: 'L[]) : Dataset<float32[] * 'L> =
        Dataset.init rows.Length (fun i -> rows[i], labels[i])

/// Fisher's iris flowers (150 samples, 4 measurements in cm, 3 species), shipped inside Functional.Core.
module Iris =
    let private data = lazy (SklearnCsv.load "iris.csv")

    /// The four feature names.
    let featureNames =
        [|
            "sepal length (cm)"
            "sepal width (cm)"
            "petal length (cm)"
            "petal width (cm)"
        |]

    /// The species: setosa, versicolor, virginica.
    let classNames () : string[] =
        let _, _, c = data.Force() in Array.copy c

    /// The 150 samples: (4 measurements, species 0-2).
    let load () : Dataset<float32[] * int> =
        let rows, labels, _ = data.Force()
        SklearnCsv.dataset (rows, labels)

/// UCI wine recognition (178 wines, 13 chemical measurements, 3 cultivars), shipped inside Functional.Core.
module Wine =
    let private data = lazy (SklearnCsv.load "wine_data.csv")

    /// The 13 feature names.
    let featureNames =
        [|
            "alcohol"
            "malic_acid"
            "ash"
            "alcalinity_of_ash"
            "magnesium"
            "total_phenols"
            "flavanoids"
            "nonflavanoid_phenols"
            "proanthocyanins"
            "color_intensity"
            "hue"
            "od280/od315_of_diluted_wines"
            "proline"
        |]

    /// The cultivars: class_0, class_1, class_2.
    let classNames () : string[] =
        let _, _, c = data.Force() in Array.copy c

    /// The 178 samples: (13 measurements, cultivar 0-2).
    let load () : Dataset<float32[] * int> =
        let rows, labels, _ = data.Force()
        SklearnCsv.dataset (rows, labels)

/// Wisconsin diagnostic breast cancer (569 samples, 30 cell-nucleus features, malignant = 0 / benign = 1),
/// shipped inside Functional.Core.
module BreastCancer =
    let private data = lazy (SklearnCsv.load "breast_cancer.csv")

    /// The 30 feature names (mean, error and worst of ten measurements).
    let featureNames =
        [|
            for kind in [ "mean "; ""; "worst " ] do
                for m in
                    [
                        "radius"
                        "texture"
                        "perimeter"
                        "area"
                        "smoothness"
                        "compactness"
                        "concavity"
                        "concave points"
                        "symmetry"
                        "fractal dimension"
                    ] do
                    if kind = "" then m + " error" else kind + m
        |]

    /// The diagnoses: malignant, benign.
    let classNames () : string[] =
        let _, _, c = data.Force() in Array.copy c

    /// The 569 samples: (30 features, diagnosis 0 = malignant, 1 = benign).
    let load () : Dataset<float32[] * int> =
        let rows, labels, _ = data.Force()
        SklearnCsv.dataset (rows, labels)

/// Efron et al.'s diabetes regression data (442 patients, 10 raw baseline variables, disease
/// progression one year later), shipped inside Functional.Core. Features are unscaled (scikit-learn's
/// `scaled=False`); standardize them with `Standardization`.
module Diabetes =
    /// The 10 feature names: age, sex, body-mass index, blood pressure and six blood serum measurements.
    let featureNames =
        [| "age"; "sex"; "bmi"; "bp"; "s1"; "s2"; "s3"; "s4"; "s5"; "s6" |]

    let private data =
        lazy
            (let options =
                { CsvOptions.Default with
                    HasHeader = false
                    Separator = ' '
                }

             use fr = Embedded.reader "diabetes_data_raw.csv.gz"
             use tr = Embedded.reader "diabetes_target.csv.gz"
             let f = Csv.readFrom options "diabetes_data_raw.csv.gz" fr
             let t = Csv.readFrom options "diabetes_target.csv.gz" tr
             let cols = f.Columns |> Array.map (fun c -> c.Numbers)

             let rows =
                 Array.init f.RowCount (fun i -> Array.init cols.Length (fun j -> float32 cols.[j].[i]))

             rows, t.Columns[0].Numbers |> Array.map float32)

    /// The 442 samples: (10 raw features, disease progression 25-346).
    let load () : Dataset<float32[] * float32> = SklearnCsv.dataset (data.Force())
