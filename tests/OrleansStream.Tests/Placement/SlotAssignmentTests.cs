using System.Net;
using OrleansStream.Runtime.Placement;

namespace OrleansStream.Tests.Placement;

public sealed class SlotAssignmentTests
{
    private static readonly SiloAddress A = Silo(1), B = Silo(2), C = Silo(3);

    [Fact]
    public void A_leaving_silos_slots_go_where_the_most_are_free_counting_what_the_job_uses()
    {
        // The job uses A, B, C, A; the others offer 3 each, B has one of them in use already.
        var moves = SlotAssignment.Relocate([A, B, C, A], A, [new(A, 0), new(B, 3), new(C, 3)]);

        Assert.NotNull(moves);
        Assert.Equal([0, 3], moves.Keys.Order());
        Assert.Equal([B, C], moves.Values.OrderBy(s => s.ToParsableString(), StringComparer.Ordinal));
    }

    [Fact]
    public void Without_room_for_every_slot_of_the_leaving_silo_nothing_moves()
        => Assert.Null(SlotAssignment.Relocate([A, B, A], A, [new(A, 0), new(B, 2)]));

    [Fact]
    public void A_job_with_nothing_on_the_leaving_silo_moves_nothing()
        => Assert.Empty(SlotAssignment.Relocate([B, C], A, [new(B, 1), new(C, 1)])!);

    private static SiloAddress Silo(int port) => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11110 + port), 1);
}
