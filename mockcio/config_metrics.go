package mockcio

import "bufio"

// retentionMetrics writes the campaign and contract counters of /metrics.
func retentionMetrics(bw *bufio.Writer, r *RetentionStats) {
	for _, c := range []struct {
		name, help string
		v          int64
	}{
		{"cioharness_mock_campaigns_triggered_total", "Journeys started by campaign triggers.", r.Triggered},
		{"cioharness_mock_messages_sent_total", "Campaign messages sent at the due time.", r.MessagesSent},
		{"cioharness_mock_messages_exited_total", "Journeys that exited on their goal before the due time.", r.MessagesExited},
		{"cioharness_mock_journeys_dropped_total", "Journeys ended by a delete, suppression or merge.", r.JourneysDropped},
		{"cioharness_mock_triggers_too_old_total", "Trigger events older than 72 shopper hours when they landed.", r.StaleTriggers},
		{"cioharness_mock_triggers_via_profile_merge_total", "Trigger events that arrived through a profile merge (never trigger).", r.MergedTriggers},
	} {
		metric(bw, c.name, "counter", c.help)
		sample(bw, c.name, c.v)
	}
	metric(bw, "cioharness_mock_violations_total", "counter", "Tracking-plan violations by rule.")
	for _, rule := range sortedKeys(r.ViolationsByRule) {
		sample(bw, "cioharness_mock_violations_total", r.ViolationsByRule[rule], "rule", rule)
	}
}
