// RunPlugin: how the engine runs a policy pack written in Python (`pulumi preview --policy-pack
// DIR`, DIR holding a PulumiPolicy.yaml with `runtime: python` and a __main__.py that uses
// pulumi_policy), the way upstream's host does it:
//
//   - The engine sends the pack directory as root and program directory, and the `runtime.options`
//     of PulumiPolicy.yaml (not those of Pulumi.yaml). The interpreter follows them like a
//     program's: `virtualenv` (relative to the pack directory), or a uv/poetry toolchain; without
//     them, $PULUMI_PYTHON_CMD or python3 on PATH. Like a program, and unlike other plugin kinds,
//     a pack gets no default `venv` (upstream keeps packs' older behaviour).
//   - Before starting it, and unlike upstream, this host checks that the pack has a __main__.py,
//     that its virtualenv exists and that the interpreter can import pulumi_policy, and says
//     what to do when not (upstream's engine would only report that it read no port).
//   - The command is `python -u -m pulumi.policy ENGINE_ARGS... DIR`, in the pack directory, with
//     the engine's environment (and the virtual environment activated).
//   - pulumi_policy reads the stack (project, stack, dry run, config) from environment variables,
//     while the engine sends it over gRPC (ConfigureStack) to the process it started. sdk/v3's
//     PolicyProxy bridges the two: it prints its own port, takes the engine's ConfigureStack,
//     only then starts Python with PULUMI_PROJECT, PULUMI_STACK, ... set, reads the port the pack
//     prints, and forwards every later call to the pack.
//   - stdout and stderr go to the engine as RunPlugin messages, then the exit code if non-zero.
//     The engine ends the pack by cancelling the call, which kills the Python process.
//
// Other plugin kinds written in Python (PulumiPlugin.yaml) and attaching a debugger are not
// supported by this host.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func (h *host) RunPlugin(
	req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	dir := req.GetInfo().GetProgramDirectory()
	if req.GetKind() != string(apitype.AnalyzerPlugin) {
		return status.Errorf(codes.Unimplemented,
			"plugin %s: this Python language host (built by scripts/install-pulumi) runs policy packs "+
				"only, not %q plugins; install the official Pulumi CLI to run it", dir, req.GetKind())
	}
	if req.GetAttachDebugger() {
		return status.Errorf(codes.Unimplemented,
			"policy pack %s: this Python language host cannot attach a debugger; run without "+
				"--attach-debugger", dir)
	}
	ctx := server.Context()
	cmd, err := policyPackCommand(ctx, req)
	if err != nil {
		return err
	}

	out := &serialStream[pulumirpc.RunPluginResponse]{server: server}
	stdout := out.Writer(func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	})
	stderr := out.Writer(func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	})

	proxy, packStdout, err := sdk.NewPolicyProxy(ctx, stdout)
	if err != nil {
		return fmt.Errorf("policy pack %s: could not start the policy proxy: %w", dir, err)
	}
	stack, err := proxy.AwaitConfiguration(ctx) // prints the proxy's port for the engine
	if err != nil {
		return fmt.Errorf("policy pack %s: could not get the stack configuration: %w", dir, err)
	}
	stackEnv, err := stackEnvironment(stack)
	if err != nil {
		return fmt.Errorf("policy pack %s: %w", dir, err)
	}
	cmd.Env = append(cmd.Env, stackEnv...)
	cmd.Stdout, cmd.Stderr = packStdout, stderr
	logging.V(5).Infof("RunPlugin: %s", cmd.String())

	if err := cmd.Start(); err != nil {
		err = fmt.Errorf("policy pack %s: could not start %s: %w", dir, cmd.Path, err)
		proxy.Abort(err) // the engine's calls waiting for the pack fail instead of hanging
		return err
	}
	return sendExit(out, dir, proxy.Attach(ctx, cmd)) // Attach returns when Python exits
}

// policyPackCommand is `python -u -m pulumi.policy ENGINE_ARGS... DIR` with the pack's interpreter.
func policyPackCommand(ctx context.Context, req *pulumirpc.RunPluginRequest) (*exec.Cmd, error) {
	info := req.GetInfo()
	dir := info.GetProgramDirectory()
	opts, _, err := pythonOptions(info)
	if err != nil {
		return nil, fmt.Errorf("policy pack %s: runtime options of PulumiPolicy.yaml: %w", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "__main__.py")); err != nil {
		return nil, fmt.Errorf("policy pack %s: no __main__.py (%w); a Python policy pack's "+
			"__main__.py creates its PolicyPack", dir, err)
	}
	if err := checkPackVirtualenv(dir, opts); err != nil {
		return nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, fmt.Errorf("policy pack %s: %w", dir, err)
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, fmt.Errorf("policy pack %s: %w", dir, err)
	}

	if err := checkPolicySDK(ctx, tc, dir); err != nil {
		return nil, err
	}

	args := append([]string{"-u", "-m", "pulumi.policy"}, req.GetArgs()...)
	cmd, err := tc.Command(ctx, append(args, dir)...)
	if err != nil {
		return nil, fmt.Errorf("policy pack %s: %w", dir, err)
	}
	cmd.Dir = dir // upstream's packs have always run in their own directory

	env := req.GetEnv() // the engine's environment, with what it adds for plugins
	if len(env) == 0 {
		env = os.Environ()
	}
	if cmd.Env != nil { // the toolchain activated a virtual environment: keep it active
		venv, err := tc.VirtualEnvPath(ctx)
		if err != nil {
			return nil, fmt.Errorf("policy pack %s: %w", dir, err)
		}
		env = toolchain.ActivateVirtualEnv(env, venv)
	}
	cmd.Env = env
	return cmd, nil
}

// checkPackVirtualenv says which file and option to fix when the pack's virtualenv is missing
// (the toolchain's own message names Pulumi.yaml, which is not where a pack sets it).
func checkPackVirtualenv(dir string, opts toolchain.PythonOptions) error {
	if opts.Virtualenv == "" || opts.Toolchain == toolchain.Poetry {
		return nil
	}
	venv := opts.Virtualenv
	if !filepath.IsAbs(venv) {
		venv = filepath.Join(opts.Root, venv)
	}
	if toolchain.IsVirtualEnv(venv) {
		return nil
	}
	return fmt.Errorf("policy pack %s: PulumiPolicy.yaml sets runtime.options.virtualenv to %q, "+
		"but %s is not a virtual environment (no bin/python); create it and install the pack's "+
		"requirements into it: python3 -m venv %s && %s",
		dir, opts.Virtualenv, venv, venv, installCommand(filepath.Join(venv, "bin", "python"), dir))
}

// installCommand is how to install a pack's requirements with python: its requirements.txt if
// it has one, else pulumi-policy alone.
func installCommand(python, dir string) string {
	requirements := filepath.Join(dir, "requirements.txt")
	if _, err := os.Stat(requirements); err == nil {
		return python + " -m pip install -r " + requirements
	}
	return python + " -m pip install pulumi-policy"
}

// checkPolicySDK fails early, naming the interpreter, when it cannot import pulumi_policy:
// started anyway, the pack would exit before serving and the engine would only report that it
// could not read the pack's port.
func checkPolicySDK(ctx context.Context, tc toolchain.Toolchain, dir string) error {
	probe, err := tc.Command(ctx, "-c",
		"import importlib.util, sys; sys.exit(importlib.util.find_spec('pulumi_policy') is None)")
	if err != nil {
		return fmt.Errorf("policy pack %s: %w", dir, err)
	}
	probe.Dir = dir
	if out, err := probe.CombinedOutput(); err != nil {
		return fmt.Errorf("policy pack %s: %s cannot import pulumi_policy (%v%s); install the "+
			"pack's requirements into that environment: %s",
			dir, probe.Path, err, trimmedOutput(out), installCommand(probe.Path, dir))
	}
	return nil
}

func trimmedOutput(out []byte) string {
	if s := strings.TrimSpace(string(out)); s != "" {
		return ": " + s
	}
	return ""
}

// stackEnvironment is what pulumi_policy reads to learn the stack: the variables a program gets.
func stackEnvironment(stack *pulumirpc.AnalyzerStackConfigureRequest) ([]string, error) {
	if stack == nil { // e.g. `pulumi policy publish`: no stack
		return nil, nil
	}
	var env []string
	add := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	add("PULUMI_ORGANIZATION", stack.GetOrganization())
	add("PULUMI_PROJECT", stack.GetProject())
	add("PULUMI_STACK", stack.GetStack())
	add("PULUMI_DRY_RUN", strconv.FormatBool(stack.GetDryRun()))
	if cfg := stack.GetConfig(); cfg != nil {
		b, err := json.Marshal(cfg)
		if err != nil {
			return nil, fmt.Errorf("encoding the stack configuration: %w", err)
		}
		add("PULUMI_CONFIG", string(b))
	}
	return env, nil
}

// sendExit ends the stream: nothing after a clean exit (the engine reads end of stream as 0),
// the exit code after a non-zero one, an error when the pack could not be run or attached.
func sendExit(out *serialStream[pulumirpc.RunPluginResponse], dir string, waitErr error) error {
	if waitErr == nil {
		return nil
	}
	var exitErr *exec.ExitError
	if errors.As(waitErr, &exitErr) {
		return out.Send(&pulumirpc.RunPluginResponse{
			Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exitErr.ExitCode())},
		})
	}
	return fmt.Errorf("policy pack %s: %w", dir, waitErr)
}
