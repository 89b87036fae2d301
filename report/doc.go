// Package report owns the results schema (cioharness/result/v1), latency
// metrics on HdrHistogram, thresholds, merging and comparing saved results,
// and the renderers (text, JSON, HTML, JUnit, Markdown). It imports no other
// project package.
package report
