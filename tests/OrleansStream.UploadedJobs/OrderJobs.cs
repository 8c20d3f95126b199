using System.Globalization;
using OrleansStream.Api;
using OrleansStream.Connectors.Files;
using OrleansStream.Connectors.Generator;
using OrleansStream.Functions;
using OrleansStream.Tests.Fixtures;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.UploadedJobs;

/// <summary>
/// Totals per customer in one-second tumbling event-time windows over <c>count</c> generated orders,
/// written to the file <c>output</c> as <c>window start,customer,orders,amount,largest</c>.
/// Parameters: <c>count</c>, <c>output</c>, <c>rate</c> (orders per second per source subtask, 0 for no limit),
/// <c>gate</c> (a <see cref="SourceGate"/> that holds the orders for the test).
/// </summary>
public sealed class OrderWindowJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        var source = GeneratorSource.FromIndex(Order.At, parameters.GetInt64("count", 0));
        if (parameters.GetInt64("rate", 0) is > 0 and var rate)
        {
            source = source.WithRateLimit(rate);
        }

        builder.FromSource(source.GatedBy(parameters.Get(SourceGate.Parameter)), "orders")
            .AssignTimestampsAndWatermarks(WatermarkStrategy<Order>.ForMonotonousTimestamps().WithTimestampAssigner(o => o.Timestamp))
            .KeyBy(o => new CustomerKey(o.Customer))
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1)))
            .Aggregate(AggregateFunction.Create<Order, CustomerTotals, CustomerTotals>(
                () => new CustomerTotals { Source = "uploaded" },
                (order, totals) => new CustomerTotals
                {
                    Customer = order.Customer,
                    Orders = totals.Orders + order.Count,
                    Amount = totals.Amount + order.Amount,
                    LargestOrder = Math.Max(totals.LargestOrder, order.Amount),
                    Source = totals.Source,
                },
                (a, b) => new CustomerTotals
                {
                    Customer = a.Customer.Length > 0 ? a.Customer : b.Customer,
                    Orders = a.Orders + b.Orders,
                    Amount = a.Amount + b.Amount,
                    LargestOrder = Math.Max(a.LargestOrder, b.LargestOrder),
                    Source = a.Source,
                },
                totals => totals), "customer totals")
            .Map(r => new Dictionary<string, string>
            {
                ["window"] = r.Window.Start.ToString(CultureInfo.InvariantCulture),
                ["customer"] = r.Key.Customer,
                ["totals"] = $"{r.Value.Orders},{r.Value.Amount},{r.Value.LargestOrder}",
            }, "as fields")

            // The fields cross the network to the one-subtask sink: a type of the silo's own (not the job's) in
            // the JSON codec, whose options must not share a metadata cache with the job's types.
            .Map(fields => $"{fields["window"]},{fields["customer"]},{fields["totals"]}", "format").SetParallelism(1)
            .SinkTo(FileSink.ToFile<string>(parameters.GetRequired("output")), "totals file");
    }
}

/// <summary>
/// A running total per customer, checkpointed, into the two-phase-commit file sink: each order adds
/// one line <c>customer,orders,amount</c> to the directory <c>output</c>, so an order lost or counted
/// twice after a failure shows in the committed lines. The reduce state holds <see cref="Order"/>s.
/// Parameters: <c>count</c>, <c>output</c>, <c>rate</c> (orders per second, 0 for no limit), <c>checkpoint-ms</c> (200),
/// <c>gate</c> (a <see cref="SourceGate"/> that holds the orders for the test).
/// </summary>
public sealed class OrderTotalsJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        builder.EnableCheckpointing(TimeSpan.FromMilliseconds(parameters.GetInt64("checkpoint-ms", 200)));
        builder.RestartStrategy = RestartStrategy.FixedDelay(5, TimeSpan.FromMilliseconds(200));
        var source = GeneratorSource.FromIndex(Order.At, parameters.GetInt64("count", 0));
        if (parameters.GetInt64("rate", 0) is > 0 and var rate)
        {
            source = source.WithRateLimit(rate);
        }

        // One source subtask: each customer's orders reach its running total in index order, so the committed lines are exact.
        builder.FromSource(source.GatedBy(parameters.Get(SourceGate.Parameter)), "orders").SetParallelism(1).Uid("orders")
            .KeyBy(o => o.Customer)
            .Reduce((a, b) => new Order { Customer = a.Customer, Count = a.Count + b.Count, Amount = a.Amount + b.Amount, Note = a.Note }, "running totals").Uid("running-totals")
            .SinkTo(FileSink.ForRowFormat<Order>(parameters.GetRequired("output"), o => $"{o.Customer},{o.Count},{o.Amount}"), "committed totals")
            .Uid("committed-totals");
    }
}
