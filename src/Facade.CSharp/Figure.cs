namespace Functional.CSharp;

/// <summary>A chart made by <see cref="Plots"/>: save it as a self-contained HTML file (works offline) or take the HTML text.</summary>
public sealed class Figure
{
    private readonly Plotly.NET.GenericChart chart;

    internal Figure(Plotly.NET.GenericChart chart) => this.chart = chart;

    /// <summary>The chart as a complete HTML document with plotly.js embedded.</summary>
    public string ToHtml() => Plot.toHtml(chart);

    /// <summary>Writes the chart to <paramref name="path"/> as a self-contained HTML file (atomically).</summary>
    public void Save(string path) => Plot.save(path, chart);
}
