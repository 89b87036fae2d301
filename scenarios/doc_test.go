package scenarios

import (
	"bytes"
	"os"
	"testing"
)

// TestReadmeExampleIsTheTestedFile keeps the README's example scenario and
// testdata/scenarios/example.yaml (validated and generated elsewhere) equal.
func TestReadmeExampleIsTheTestedFile(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, md, found := bytes.Cut(readme, []byte("\n## Scenarios"))
	if !found {
		t.Fatal("README.md has no '## Scenarios' section")
	}
	file, err := os.ReadFile("../testdata/scenarios/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := bytes.Cut(md, []byte("```yaml\n"))
	block, _, ok2 := bytes.Cut(rest, []byte("```\n"))
	if !ok || !ok2 {
		t.Fatal("no yaml block in README.md's Scenarios section")
	}
	if !bytes.Equal(block, file) {
		t.Error("the first yaml block of README.md's Scenarios section differs from testdata/scenarios/example.yaml")
	}
}
