package scenarios

import (
	"bytes"
	"os"
	"testing"
)

// TestReadmeExampleIsTheTestedFile keeps the README's example scenario and
// testdata/scenarios/example.yaml (validated and generated elsewhere) equal.
func TestReadmeExampleIsTheTestedFile(t *testing.T) {
	md, err := os.ReadFile("../docs/readme/scenarios.md")
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile("../testdata/scenarios/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := bytes.Cut(md, []byte("```yaml\n"))
	block, _, ok2 := bytes.Cut(rest, []byte("```\n"))
	if !ok || !ok2 {
		t.Fatal("no yaml block in docs/readme/scenarios.md")
	}
	if !bytes.Equal(block, file) {
		t.Error("the first yaml block of docs/readme/scenarios.md differs from testdata/scenarios/example.yaml")
	}
}
