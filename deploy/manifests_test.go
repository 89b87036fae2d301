package deploy

// The Kubernetes objects of deploy/kubernetes as the tests read them: just
// the fields the recipe depends on.

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

// k8sDir holds the manifests, relative to this package.
const k8sDir = "kubernetes"

type k8sMeta struct {
	Name   string            `yaml:"name"`
	Labels map[string]string `yaml:"labels"`
}

// k8sObject is one YAML document of a manifest; Spec is decoded per kind.
type k8sObject struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   k8sMeta           `yaml:"metadata"`
	Spec       yaml.Node         `yaml:"spec"`
	Data       map[string]string `yaml:"data"`
	file       string
}

type k8sPodTemplate struct {
	Metadata k8sMeta `yaml:"metadata"`
	Spec     struct {
		RestartPolicy  string         `yaml:"restartPolicy"`
		InitContainers []k8sContainer `yaml:"initContainers"`
		Containers     []k8sContainer `yaml:"containers"`
		Volumes        []struct {
			Name string `yaml:"name"`
			PVC  *struct {
				ClaimName string `yaml:"claimName"`
			} `yaml:"persistentVolumeClaim"`
		} `yaml:"volumes"`
	} `yaml:"spec"`
}

type k8sContainer struct {
	Name    string       `yaml:"name"`
	Image   string       `yaml:"image"`
	Command []string     `yaml:"command"`
	Args    []string     `yaml:"args"`
	EnvFrom []k8sEnvFrom `yaml:"envFrom"`
	Ports   []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	ReadinessProbe *struct {
		HTTPGet *struct {
			Path string `yaml:"path"`
			Port any    `yaml:"port"`
		} `yaml:"httpGet"`
	} `yaml:"readinessProbe"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

type k8sEnvFrom struct {
	ConfigMapRef struct {
		Name string `yaml:"name"`
	} `yaml:"configMapRef"`
}

type k8sDeploymentSpec struct {
	Replicas int `yaml:"replicas"`
	Selector struct {
		MatchLabels map[string]string `yaml:"matchLabels"`
	} `yaml:"selector"`
	Template k8sPodTemplate `yaml:"template"`
}

type k8sServiceSpec struct {
	Selector map[string]string `yaml:"selector"`
	Ports    []struct {
		Port       int `yaml:"port"`
		TargetPort any `yaml:"targetPort"`
	} `yaml:"ports"`
}

type k8sJobSpec struct {
	CompletionMode string         `yaml:"completionMode"`
	Completions    *int           `yaml:"completions"`
	Parallelism    *int           `yaml:"parallelism"`
	BackoffLimit   *int           `yaml:"backoffLimit"`
	Template       k8sPodTemplate `yaml:"template"`
}

// k8sManifests is every object under deploy/kubernetes, by "Kind/name", and
// the kustomization's resource list.
type k8sManifests struct {
	objects   map[string]*k8sObject
	resources []string
	files     []string
}

func loadManifests(t *testing.T) *k8sManifests {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(k8sDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", k8sDir, err)
	}
	m := &k8sManifests{objects: map[string]*k8sObject{}}
	for _, f := range files {
		m.files = append(m.files, filepath.Base(f))
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == "kustomization.yaml" {
			var k struct {
				Resources []string `yaml:"resources"`
			}
			if err := yaml.Unmarshal(b, &k); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			m.resources = k.Resources
			continue
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			o := &k8sObject{file: filepath.Base(f)}
			if err := dec.Decode(o); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if o.APIVersion == "" || o.Kind == "" || o.Metadata.Name == "" {
				t.Fatalf("%s: a document without apiVersion, kind or metadata.name: %+v", f, o)
			}
			key := o.Kind + "/" + o.Metadata.Name
			if m.objects[key] != nil {
				t.Fatalf("%s: %s defined twice", f, key)
			}
			m.objects[key] = o
		}
	}
	return m
}

// spec decodes the spec of Kind/name into v.
func (m *k8sManifests) spec(t *testing.T, key string, v any) *k8sObject {
	t.Helper()
	o := m.objects[key]
	if o == nil {
		t.Fatalf("no %s in %s", key, k8sDir)
	}
	if err := o.Spec.Decode(v); err != nil {
		t.Fatalf("%s %s: spec: %v", o.file, key, err)
	}
	return o
}

// k8sScript is a container's `sh -c SCRIPT NAME` command.
type k8sScript struct{ script, name string }

func scriptOf(t *testing.T, c k8sContainer) k8sScript {
	t.Helper()
	if len(c.Command) != 4 || c.Command[0] != "/bin/sh" || c.Command[1] != "-c" {
		t.Fatalf("container %s: command %q: want [/bin/sh -c SCRIPT NAME] so that args reach the script as \"$@\"", c.Name, c.Command)
	}
	return k8sScript{c.Command[2], c.Command[3]}
}

// portNumber resolves a probe or Service target port (number or name).
func portNumber(p any, c k8sContainer) int {
	switch v := p.(type) {
	case int:
		return v
	case string:
		for _, cp := range c.Ports {
			if cp.Name == v {
				return cp.ContainerPort
			}
		}
	}
	return 0
}

// flagValue returns the value after flag in args ("" if absent).
func flagValue(args []string, flag string) string {
	if i := slices.Index(args, flag); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return ""
}
