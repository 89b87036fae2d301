// Package scenarios is the shopper model: scenario and mix files (YAML),
// built-ins embedded from builtin/, seeded shopper and catalog data (gofakeit),
// journeys as timelines of cio calls in shopper time, and the ledger: what each
// shopper really did and what Customer.io must therefore show.
//
// # Generating journeys
//
//	mix, err := scenarios.LoadMix([]string{"d2c"}) // built-in names or file paths
//	gen, err := scenarios.NewGenerator(mix, scenarios.Options{Seed: 1})
//	j := gen.Journey(42) // a pure function of (options, 42); safe for concurrent use
//
// A journey's Steps are sorted by Offset (shopper time from the journey's
// start; negative offsets are history, sent at the start). Every step is a
// neutral cio.Call with Timestamp zero: the engine sends step k at
// start + Offset/time-scale and stamps Timestamp with that time. Steps of one
// journey must reach the target in order (send the next only after the
// previous one was answered): the ledger assumes arrival in step order, and
// several steps may share an offset (an identify and the event right after).
//
// Sharding: shard i of n (1-based) runs the global indexes j with
// j % n == i-1. Journeys depend only on the Options (seed, run id, epoch, time
// scale) and the index, so the shards of a run together generate exactly the
// journeys of the unsharded run. Call ids are ULIDs from seeded entropy. The
// epoch and time scale only date the ULIDs and the date attributes: pass the
// run's start and --time-scale for realistic dates, or leave them zero for
// byte-identical payloads across runs.
//
// # The ledger
//
// Ledger.Add(journey, start, timeScale) replays the journey's calls under
// Customer.io's rules (reference/customerio-api.md §2, §4.4, §5, §8), using
// shopper-time offsets, and stores a Record: every call with its offset,
// device and anonymous id; when each anonymous id was linked (Linked); the
// people the shopper must end as (People, usually one); and the events that
// must stay anonymous (Anonymous). The rules:
//
//   - An identify finds its person by each identifier it names (external id,
//     email; emails compare case-insensitively) and gives them the ones they
//     lack, so a known email with a new id gains the id. If the identifiers
//     name two people, or the person already has a different value for one
//     (changing an email by id needs the cio_id), the call changes nothing.
//     Unknown identifiers create a person; so does an event for an unknown
//     id or email. An identify with an anonymous id alone keeps its traits
//     for the merge, which fills blanks with them.
//   - An identify carrying an anonymous id links it to the person, once (the
//     id is not reusable). Anonymous events that arrived before it merge
//     (via anonymous_merge) if received no more than AnonymousRetention
//     (30 days) before it; older ones are gone. Anonymous events arriving after it merge only
//     within LateMergeWindow (5 minutes); later ones stay anonymous.
//   - A device that never identifies keeps its events anonymous.
//   - merge_customers: the primary keeps its values and fills blanks
//     (identifiers included) from the secondary, gains its anonymous ids and
//     all its events (via profile_merge: Customer.io moves 30 days at once,
//     the rest later); the secondary goes. A missing primary or secondary
//     makes it a no-op.
//   - Delete and suppress remove the person; suppress also blocks its
//     identifiers (or the one named, when nobody has it) until an unsuppress
//     of one of them frees the group. Calls for blocked identifiers are
//     ignored; a later call re-creates a fresh person.
//
// Attributes are the union of the identify data in arrival order (later
// values win), plus id and email. Events carry name, type, id, data, offset,
// timestamp (start + offset/timeScale), via and Landed (the offset at which
// they reached their place). Arrival is max(offset, 0).
//
// Campaign outcomes follow the mock's rules (default BuiltinCampaigns: cart,
// checkout and browse abandonment, one shopper hour each). A trigger event
// enters the person when it lands — unless it was moved by a profile merge or
// is older than TriggerWindow (72 h) when it lands, so an anonymous cart
// triggers when its identify links it — and as the re-entry rule allows
// (default: not while waiting). The message is due Delay later; an exit event
// performed at or after the trigger's action that lands on the person while
// they wait exits them, else the message is sent. Converted marks outcomes
// where the shopper did buy by the due time: a sent message with Converted
// comes from Customer.io's own rules (the cross-device shopper whose later
// login merges the phone's cart after the order), not from the ingestion path.
// Content holds the trigger's data keys the campaign shows (sent outcomes).
//
// Truth segments: SegmentMembers(Segment{Performed, NotPerformed}, at) counts
// an event once it has landed by real time at and its action time lies in
// the window (shopper time, scaled by the journey's time scale). For richer
// conditions, Record.PersonAt(p, at) gives the person as it must look at a
// moment, to evaluate with mockcio's Segment.Match.
//
// Lookups for verification: Ledger.Person(id or email), People(), Records(),
// Campaigns(); WriteJSON gives the same bytes for the same journeys whatever
// the order of Add; Merge joins shard ledgers.
package scenarios
