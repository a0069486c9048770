using Xunit;

namespace Functional.CSharp.Tests;

public class InfoTests
{
    [Fact]
    public void VersionIsSemantic()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+$", Info.Version);
    }

    [Fact]
    public void NativeBackendLoadsFromCSharp()
    {
        Info.EnsureNative();
    }
}
