// Package deploy holds no code: it is the home of the deployment files
// (Dockerfile, kubernetes/) and of the test that parses the Kubernetes
// manifests and checks the fields the distributed recipe depends on
// (README.md, "Beyond one machine"). cmd/cioharness runs the recipe on one machine.
package deploy
