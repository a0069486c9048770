/// Plain HTTP(S) downloads of registry files into a folder, with timeouts (never hangs).
module internal Functional.Data.Download

open System
open System.IO
open System.Net.Http
open System.Threading

/// One client for the process: a bounded connect time; the proxy comes from HTTP(S)_PROXY as usual.
let private client =
    lazy
        (let handler =
            new SocketsHttpHandler(ConnectTimeout = TimeSpan.FromSeconds 30.0, AllowAutoRedirect = true)

         let c = new HttpClient(handler, Timeout = Timeout.InfiniteTimeSpan)
         c.DefaultRequestHeaders.UserAgent.ParseAdd "Functional-data-fetch/1.0"
         c)

/// Downloads `url` into file `path` (written as `path.part`, then renamed). `stall` bounds the wait for the
/// response and for each chunk of the body. Returns the error text instead of raising when it fails.
let toFile (stall: TimeSpan) (url: string) (path: string) : Result<unit, string> =
    let part = path + ".part"

    try
        try
            use cts = new CancellationTokenSource(stall)
            use request = new HttpRequestMessage(HttpMethod.Get, url)

            use response =
                client.Value
                    .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token)
                    .GetAwaiter()
                    .GetResult()

            if not response.IsSuccessStatusCode then
                Error $"HTTP {int response.StatusCode} {response.ReasonPhrase}"
            else
                (use body = response.Content.ReadAsStream cts.Token
                 use file = File.Create part
                 let buffer = Array.zeroCreate<byte>(1 <<< 16)
                 let mutable n = 1

                 while n > 0 do
                     cts.CancelAfter stall // restart the stall timer for every chunk
                     n <- body.ReadAsync(buffer.AsMemory(), cts.Token).AsTask().GetAwaiter().GetResult()
                     file.Write(buffer, 0, n))

                File.Move(part, path, true)
                Ok()
        with
        | :? OperationCanceledException -> Error $"no progress for {stall.TotalSeconds:g} s (timed out)"
        | e ->
            let rec messages (e: exn) =
                if isNull e then
                    []
                else
                    e.Message :: messages e.InnerException

            Error(String.Join(": ", messages e |> List.distinct))
    finally
        if File.Exists part then
            File.Delete part
