namespace Functional.Data

open System

/// Where `Fetch` downloads packages from, which command-line tools it may try, and how long it waits.
type FetchSources =
    {
        /// Base URL of the npm registry (tarballs are `{registry}/{name}/-/{basename}-{version}.tgz`).
        NpmRegistry: string
        /// Base URL of a Debian mirror (packages are `{mirror}/{pool filename}`).
        DebianMirror: string
        /// Try `apt-get download` before the mirror, and `npm pack` after a failed registry download.
        UsePackageTools: bool
        /// A download that receives nothing for this long is abandoned; a tool (apt-get, npm, dpkg-deb) gets 5x as long in all.
        Timeout: TimeSpan
    }

/// The package sources `Fetch` uses: registry and mirror URLs from the environment, with defaults.
module FetchSources =
    /// The environment variable naming the npm registry (the one npm itself reads).
    let npmRegistryVariable = "npm_config_registry"

    /// The environment variable naming the Debian mirror used when `apt-get download` fails.
    let debianMirrorVariable = "FUNCTIONAL_DEBIAN_MIRROR"

    /// The public npm registry.
    let defaultNpmRegistry = "https://registry.npmjs.org/"

    /// Debian's redirector to a nearby mirror.
    let defaultDebianMirror = "http://deb.debian.org/debian"

    let private env (names: string list) (fallback: string) =
        names
        |> List.map Environment.GetEnvironmentVariable
        |> List.tryFind (String.IsNullOrWhiteSpace >> not)
        |> Option.map (fun v -> v.Trim())
        |> Option.defaultValue fallback

    /// `$npm_config_registry` (or `$NPM_CONFIG_REGISTRY`) else the public registry, `$FUNCTIONAL_DEBIAN_MIRROR`
    /// else deb.debian.org; tools allowed; a 2-minute stall timeout.
    let fromEnvironment () : FetchSources =
        {
            NpmRegistry =
                env [ npmRegistryVariable; npmRegistryVariable.ToUpperInvariant() ] defaultNpmRegistry
            DebianMirror = env [ debianMirrorVariable ] defaultDebianMirror
            UsePackageTools = true
            Timeout = TimeSpan.FromMinutes 2.0
        }

    let private join (baseUrl: string) (path: string) = baseUrl.TrimEnd '/' + "/" + path

    /// The registry URL of an npm package's tarball: `{registry}/{name}/-/{basename}-{version}.tgz`, where
    /// `basename` is the name without its `@scope/` (e.g. `@stdlib/x` 1.0 -> `{registry}/@stdlib/x/-/x-1.0.tgz`).
    let npmTarballUrl (registry: string) (name: string) (version: string) : string =
        let basename = name.Substring(name.LastIndexOf '/' + 1)
        join registry $"{name}/-/{basename}-{version}.tgz"

    /// The mirror URL of a Debian package: `{mirror}/{filename}` (`filename` as in `apt-cache show`,
    /// e.g. `pool/main/s/scikit-learn/python3-sklearn_1.2.1+dfsg-1_all.deb`).
    let debianPackageUrl (mirror: string) (filename: string) : string = join mirror (filename.TrimStart '/')
