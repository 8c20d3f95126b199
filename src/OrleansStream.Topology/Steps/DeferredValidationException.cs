namespace OrleansStream.Topology.Steps;

/// <summary>
/// Validation at parse time cannot go on: a value that shapes the rows (an expression, a field name)
/// needs a job parameter without a default. The rest is validated when the job is built with its parameters.
/// </summary>
internal sealed class DeferredValidationException() : Exception("Validation deferred until the job parameters are known.");
