namespace Functional.CSharp;

/// <summary>How a loss reduces its per-element values to the result.</summary>
public enum LossReduction
{
    /// <summary>The mean (weighted by the class weights where a loss has them, as PyTorch does).</summary>
    Mean,

    /// <summary>The sum.</summary>
    Sum,

    /// <summary>No reduction: one loss per element (or per example).</summary>
    None,

    /// <summary>The sum divided by the batch size (the first dimension), e.g. KL divergence's 'batchmean'.</summary>
    BatchMean,
}
