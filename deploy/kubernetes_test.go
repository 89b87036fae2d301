package deploy

// TestKubernetesManifests parses every manifest of the distributed recipe
// (SPEC.md §10) and checks the fields it depends on. The recipe itself runs on
// one machine in cmd/cioharness TestShardedRunEqualsWholeRun, with the
// generators' and merge Job's own scripts.

import (
	"net/url"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cioharness/cioharness/report"
)

var shardArgRE = regexp.MustCompile(`--shard "?\$i/\$SHARDS"?`)

func TestKubernetesManifests(t *testing.T) {
	m := loadManifests(t)
	t.Run("kustomization lists every manifest", func(t *testing.T) {
		want := slices.DeleteFunc(slices.Clone(m.files), func(f string) bool { return f == "kustomization.yaml" })
		got := slices.Sorted(slices.Values(m.resources))
		if !slices.Equal(got, want) {
			t.Errorf("kustomization resources %v, want the manifests %v", got, want)
		}
	})
	var dep k8sDeploymentSpec
	m.spec(t, "Deployment/cioharness-mock", &dep)
	var svc k8sServiceSpec
	svcObj := m.spec(t, "Service/cioharness-mock", &svc)
	var gen, merge k8sJobSpec
	m.spec(t, "Job/cioharness-generators", &gen)
	m.spec(t, "Job/cioharness-merge", &merge)
	run := m.objects["ConfigMap/cioharness-run"]
	if run == nil {
		t.Fatal("no ConfigMap/cioharness-run")
	}
	if len(dep.Template.Spec.Containers) != 1 || len(svc.Ports) != 1 ||
		len(gen.Template.Spec.Containers) != 1 || len(merge.Template.Spec.Containers) != 1 {
		t.Fatal("want one container in each pod template and one Service port")
	}
	mock := dep.Template.Spec.Containers[0]

	t.Run("mock Deployment", func(t *testing.T) { checkMockDeployment(t, dep, mock) })
	t.Run("Service selects the mock pods on its port", func(t *testing.T) {
		if !mapsSubset(svc.Selector, dep.Template.Metadata.Labels) || len(svc.Selector) == 0 {
			t.Errorf("Service selector %v does not select the mock pods %v", svc.Selector, dep.Template.Metadata.Labels)
		}
		if got := portNumber(svc.Ports[0].TargetPort, mock); got != 8420 {
			t.Errorf("Service targetPort %v resolves to %d, want the mock's 8420", svc.Ports[0].TargetPort, got)
		}
	})
	t.Run("generators", func(t *testing.T) {
		checkGenerators(t, gen, run, svcObj.Metadata.Name, svc.Ports[0].Port)
	})
	t.Run("merge", func(t *testing.T) { checkMerge(t, merge, run) })
	t.Run("scripts are valid sh", func(t *testing.T) {
		sh, err := exec.LookPath("sh")
		if err != nil {
			t.Skip("no sh on PATH")
		}
		for _, c := range []k8sContainer{gen.Template.Spec.Containers[0], gen.Template.Spec.InitContainers[0], merge.Template.Spec.Containers[0]} {
			if out, err := exec.Command(sh, "-n", "-c", c.Command[2]).CombinedOutput(); err != nil {
				t.Errorf("container %s: sh -n: %v\n%s", c.Name, err, out)
			}
		}
	})
	t.Run("results volume is shared", func(t *testing.T) {
		var pvc struct {
			AccessModes []string `yaml:"accessModes"`
		}
		m.spec(t, "PersistentVolumeClaim/cioharness-results", &pvc)
		if !slices.Contains(pvc.AccessModes, "ReadWriteMany") {
			t.Errorf("results claim access modes %v, want ReadWriteMany (pods on many nodes)", pvc.AccessModes)
		}
		for name, tpl := range map[string]k8sPodTemplate{"generators": gen.Template, "merge": merge.Template} {
			if got := resultsMount(tpl); got != run.Data["RESULTS"] || got == "" {
				t.Errorf("%s mounts cioharness-results at %q, want RESULTS=%q", name, got, run.Data["RESULTS"])
			}
		}
	})
}

func checkMockDeployment(t *testing.T, dep k8sDeploymentSpec, mock k8sContainer) {
	if dep.Replicas != 1 {
		t.Errorf("replicas %d, want 1: the mock's state is in memory", dep.Replicas)
	}
	if !mapsSubset(dep.Selector.MatchLabels, dep.Template.Metadata.Labels) {
		t.Errorf("selector %v does not match the pod labels %v", dep.Selector.MatchLabels, dep.Template.Metadata.Labels)
	}
	if len(mock.Args) == 0 || mock.Args[0] != "mock" || flagValue(mock.Args, "--addr") != "0.0.0.0:8420" {
		t.Errorf("args %q, want mock --addr 0.0.0.0:8420", mock.Args)
	}
	if len(mock.Ports) != 1 || mock.Ports[0].ContainerPort != 8420 {
		t.Errorf("container ports %+v, want 8420", mock.Ports)
	}
	p := mock.ReadinessProbe
	if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/__mock/stats" || portNumber(p.HTTPGet.Port, mock) != 8420 {
		t.Errorf("readiness probe missing or not GET /__mock/stats on 8420")
	}
}

func checkGenerators(t *testing.T, gen k8sJobSpec, run *k8sObject, svcName string, svcPort int) {
	shards, _ := strconv.Atoi(run.Data["SHARDS"])
	switch {
	case gen.CompletionMode != "Indexed":
		t.Errorf("completionMode %q, want Indexed (the completion index is the shard)", gen.CompletionMode)
	case gen.Completions == nil || gen.Parallelism == nil || *gen.Completions != *gen.Parallelism:
		t.Errorf("completions %s, parallelism %s: want equal (every shard runs at once)", intText(gen.Completions), intText(gen.Parallelism))
	case *gen.Completions != shards || shards < 1:
		t.Errorf("completions %d, SHARDS %q: want equal", *gen.Completions, run.Data["SHARDS"])
	case gen.BackoffLimit == nil || *gen.BackoffLimit != 0:
		t.Errorf("backoffLimit %s, want 0: a retried shard sends its journeys twice", intText(gen.BackoffLimit))
	case gen.Template.Spec.RestartPolicy != "Never":
		t.Errorf("restartPolicy %q, want Never", gen.Template.Spec.RestartPolicy)
	}
	c := gen.Template.Spec.Containers[0]
	s := scriptOf(t, c)
	if !strings.Contains(s.script, "i=$((JOB_COMPLETION_INDEX + 1))") || !shardArgRE.MatchString(s.script) {
		t.Errorf("generator script does not run shard JOB_COMPLETION_INDEX+1 of SHARDS:\n%s", s.script)
	}
	if !strings.Contains(s.script, `"$@"`) || !strings.Contains(s.script, `-o "$out.part"`) {
		t.Errorf("generator script does not pass its args on or write its own results file:\n%s", s.script)
	}
	if !envFromRun(c) {
		t.Errorf("generator takes no env from ConfigMap cioharness-run")
	}
	want := "http://" + svcName + ":" + strconv.Itoa(svcPort)
	if got := flagValue(c.Args, "--mock"); got != want {
		t.Errorf("generator --mock %q, want the Service %s", got, want)
	}
	if u, err := url.Parse(flagValue(c.Args, "--mock")); err != nil || u.Hostname() != svcName {
		t.Errorf("generator --mock %q does not name the Service %s", flagValue(c.Args, "--mock"), svcName)
	}
	for _, f := range []string{"--shard", "-o", "--out"} {
		if slices.Contains(c.Args, f) {
			t.Errorf("generator args carry %s: the wrapper sets it per pod", f)
		}
	}
	if len(gen.Template.Spec.InitContainers) != 1 || !strings.Contains(strings.Join(gen.Template.Spec.InitContainers[0].Command, " "), want+"/__mock/stats") {
		t.Errorf("generators do not wait for %s/__mock/stats before starting", want)
	}
}

func checkMerge(t *testing.T, merge k8sJobSpec, run *k8sObject) {
	c := merge.Template.Spec.Containers[0]
	s := scriptOf(t, c)
	for _, want := range []string{`cioharness report "$dir"/shard-*.json`, "junit:junit.xml", `-lt "$SHARDS"`, `exec cioharness report`} {
		if !strings.Contains(s.script, want) {
			t.Errorf("merge script lacks %q:\n%s", want, s.script)
		}
	}
	if !envFromRun(c) {
		t.Errorf("merge takes no env from ConfigMap cioharness-run")
	}
	if merge.BackoffLimit == nil || *merge.BackoffLimit != 0 {
		t.Errorf("backoffLimit %s, want 0: the exit code is the verdict", intText(merge.BackoffLimit))
	}
	n := 0
	for i, a := range c.Args {
		if a == "--threshold" && i+1 < len(c.Args) {
			n++
			if _, err := report.ParseThreshold(c.Args[i+1]); err != nil {
				t.Errorf("merge threshold %q: %v", c.Args[i+1], err)
			}
		}
	}
	if n == 0 {
		t.Error("merge args have no --threshold example")
	}
	if run.Data["RUN_NAME"] == "" {
		t.Error("ConfigMap cioharness-run has no RUN_NAME")
	}
}

func envFromRun(c k8sContainer) bool {
	return slices.ContainsFunc(c.EnvFrom, func(e k8sEnvFrom) bool { return e.ConfigMapRef.Name == "cioharness-run" })
}

// resultsMount is where the pod mounts the cioharness-results claim.
func resultsMount(tpl k8sPodTemplate) string {
	for _, v := range tpl.Spec.Volumes {
		if v.PVC == nil || v.PVC.ClaimName != "cioharness-results" {
			continue
		}
		for _, vm := range tpl.Spec.Containers[0].VolumeMounts {
			if vm.Name == v.Name {
				return vm.MountPath
			}
		}
	}
	return ""
}

func mapsSubset(sub, of map[string]string) bool {
	for k, v := range sub {
		if of[k] != v {
			return false
		}
	}
	return true
}

func intText(p *int) string {
	if p == nil {
		return "unset"
	}
	return strconv.Itoa(*p)
}
