namespace ZilOnnx.Trainer.Training;

/// <summary>
/// Where a numerical failure began: the first quantity of the step that is not finite.
/// </summary>
/// <param name="Quantity">What went non-finite first: `value` or `error` (the feed-forward pass and backprop's errors),
/// `loss`, or in a relaxation `prediction`, `error`, `energy`, `displacement` (a value node's distance from its
/// feed-forward value); `update` when all of these stay finite and only the parameters' Hebbian products overflow.</param>
/// <param name="Description">The same in words, for the error line.</param>
/// <param name="Vertex">The vertex it belongs to, if any.</param>
/// <param name="InferenceStep">The relaxation's inference step, from 1, where the quantity belongs to one.</param>
public sealed record NonFiniteOrigin(string Quantity, string Description, string? Vertex = null, int? InferenceStep = null);
