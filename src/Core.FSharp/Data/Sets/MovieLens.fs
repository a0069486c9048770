namespace Functional.Data

open System
open System.Globalization
open System.IO

/// One MovieLens rating.
[<Struct>]
type MovieRating =
    {
        /// The user (1-based id from the file).
        UserId: int
        /// The movie (MovieLens id).
        MovieId: int
        /// Stars, 0.5 to 5 in steps of 0.5.
        Rating: float32
        /// Seconds since 1970-01-01 UTC.
        Timestamp: int64
    }

/// MovieLens "small" ratings (100,004 ratings of 9,066 movies by 671 users), fetched once with
/// `data fetch movielens`. MovieLens terms forbid redistribution: never commit these files.
module MovieLens =
    /// The file name in the dataset's cache folder.
    let fileName = "ratings_small.csv"

    /// Reads ratings (CSV `userId,movieId,rating,timestamp`) from a file, streaming.
    let ratingsFromFile (path: string) : Dataset<MovieRating> =
        let inv = CultureInfo.InvariantCulture

        Csv.rows CsvOptions.Default path
        |> Seq.mapi (fun i r ->
            try
                {
                    UserId = Int32.Parse(r[0], inv)
                    MovieId = Int32.Parse(r[1], inv)
                    Rating = Single.Parse(r[2], inv)
                    Timestamp = Int64.Parse(r[3], inv)
                }
            with :? FormatException ->
                DataFiles.corrupt
                    "MovieLens"
                    $"'{path}' row {i + 1} is not userId,movieId,rating,timestamp: {String.Join(',', r)}"
                    "Fetch the dataset again.")
        |> Dataset.ofSeq

    /// The ratings from a folder holding `ratings_small.csv`.
    let ratingsFrom (dir: string) : Dataset<MovieRating> =
        ratingsFromFile (Path.Combine(dir, fileName))

    /// The ratings from the cache; raises `DatasetNotFoundException` with the fetch command when absent.
    let ratings () : Dataset<MovieRating> =
        ratingsFrom (DataCache.locate "movielens")
