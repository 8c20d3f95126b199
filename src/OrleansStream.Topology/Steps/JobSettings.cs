using System.Globalization;
using OrleansStream.Api;
using OrleansStream.Checkpoints;
using OrleansStream.Topology.Document;

namespace OrleansStream.Topology.Steps;

/// <summary>
/// The job-wide keys: <c>parallelism</c> (wins over the submit's, as a parallelism set in a Flink program wins
/// over <c>-p</c>), <c>maxParallelism</c>, <c>watermarkInterval</c>, <c>idleTimeout</c>, <c>restart</c>, <c>checkpoints</c> and <c>autoscaling</c>.
/// </summary>
internal static class JobSettings
{
    public static void Apply(MappingReader root, StreamBuilder builder)
    {
        root.Scalar("name")?.String();
        if (root.Scalar("parallelism") is { } parallelism)
        {
            builder.DefaultParallelism = parallelism.Int(1, fallback: builder.DefaultParallelism);
        }

        if (root.Scalar("maxParallelism") is { } maxParallelism)
        {
            builder.MaxParallelism = maxParallelism.Int(1, 32_768, fallback: builder.MaxParallelism);
        }

        if (root.Scalar("watermarkInterval") is { } interval)
        {
            builder.AutoWatermarkInterval = interval.Duration(allowZero: false, fallback: builder.AutoWatermarkInterval);
        }

        if (root.Scalar("idleTimeout") is { } idleTimeout)
        {
            builder.IdleTimeout = idleTimeout.Duration(allowZero: false);
        }

        if (root.Mapping("restart") is { } restart)
        {
            builder.RestartStrategy = ReadRestartStrategy(restart);
        }

        if (root.Mapping("checkpoints") is { } checkpoints)
        {
            ApplyCheckpoints(checkpoints, builder.Checkpointing);
        }

        if (root.Mapping("autoscaling") is { } autoscaling)
        {
            ApplyAutoscaling(autoscaling, builder.Autoscaling);
        }
    }

    /// <summary>The job's autoscaler, with the Flink operator's names for its settings; on unless <c>enabled: false</c>.</summary>
    private static void ApplyAutoscaling(MappingReader settings, AutoscalerConfig config)
    {
        config.Enabled = settings.Scalar("enabled")?.Bool(fallback: true) ?? true;
        if (settings.Scalar("targetUtilization") is { } target)
        {
            config.TargetUtilization = target.Number(0, 1);
            if (config.TargetUtilization == 0)
            {
                throw target.Error("the target utilization must be above 0");
            }
        }

        if (settings.Scalar("boundary") is { } boundary)
        {
            config.UtilizationBoundary = boundary.Number(0, 1);
            if (config.UtilizationBoundary >= config.TargetUtilization)
            {
                throw boundary.Error(string.Create(CultureInfo.InvariantCulture, $"the boundary must be below the target utilization ({config.TargetUtilization})"));
            }
        }

        if (settings.Scalar("metricWindow") is { } window)
        {
            config.MetricWindow = window.Duration(allowZero: false);
        }

        if (settings.Scalar("stabilization") is { } stabilization)
        {
            config.Stabilization = stabilization.Duration(allowZero: true);
        }

        if (settings.Scalar("catchUp") is { } catchUp)
        {
            config.CatchUpDuration = catchUp.Duration(allowZero: false);
        }

        if (settings.Scalar("scaleSources") is { } scaleSources)
        {
            config.ScaleSources = scaleSources.Bool();
        }

        if (settings.Scalar("maxRescalesPerHour") is { } rescales)
        {
            config.MaxRescalesPerHour = rescales.Int(1);
        }

        settings.Finish();
    }

    /// <summary>Flink's restart strategies: <c>none</c>, <c>fixed-delay</c> (attempts, delay), <c>exponential-delay</c> (initial, max, multiplier, attempts).</summary>
    private static RestartStrategy ReadRestartStrategy(MappingReader settings)
    {
        RestartStrategy strategy;
        switch (settings.RequiredScalar("strategy").Choice("none", "fixed-delay", "exponential-delay"))
        {
            case "none":
                strategy = RestartStrategy.None;
                break;
            case "fixed-delay":
                strategy = RestartStrategy.FixedDelay(
                    settings.Scalar("attempts")?.Int(0) ?? 10,
                    settings.Scalar("delay")?.Duration(allowZero: true) ?? TimeSpan.FromSeconds(1));
                break;
            default:
                var initial = settings.Scalar("initialDelay")?.Duration(allowZero: false) ?? TimeSpan.FromSeconds(1);
                var maxDelayValue = settings.Scalar("maxDelay");
                var maxDelay = maxDelayValue?.Duration(allowZero: false) ?? TimeSpan.FromMinutes(5);
                if (maxDelay < initial)
                {
                    throw (maxDelayValue ?? settings.RequiredScalar("initialDelay")).Error($"maxDelay ({maxDelay}) is shorter than initialDelay ({initial})");
                }

                strategy = RestartStrategy.ExponentialBackoff(initial, maxDelay,
                    settings.Scalar("multiplier")?.Number(1, 100, fallback: 2) ?? 2,
                    settings.Scalar("attempts")?.Int(0) ?? int.MaxValue);
                break;
        }

        settings.Finish();
        return strategy;
    }

    private static void ApplyCheckpoints(MappingReader settings, CheckpointConfig config)
    {
        var interval = settings.RequiredScalar("interval");
        var every = interval.Duration(allowZero: false);
        if (every < TimeSpan.FromMilliseconds(10))
        {
            throw interval.Error("the checkpoint interval must be at least 10ms");
        }

        config.Interval = every;
        config.Mode = (settings.Scalar("mode")?.Choice("exactly-once", "at-least-once") ?? "exactly-once") == "exactly-once"
            ? CheckpointingMode.ExactlyOnce
            : CheckpointingMode.AtLeastOnce;
        if (settings.Scalar("timeout") is { } timeout)
        {
            config.Timeout = timeout.Duration(allowZero: false);
        }

        if (settings.Scalar("minPause") is { } pause)
        {
            config.MinPauseBetweenCheckpoints = pause.Duration(allowZero: true);
        }

        if (settings.Scalar("retained") is { } retained)
        {
            config.RetainedCheckpoints = retained.Int(1);
        }

        settings.Finish();
    }
}
