// pulumi-language-python, minimal build made by pulumi-thena's scripts/install-pulumi.
//
// The upstream language host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3) which the
// Go module proxy available to this project does not serve. This is a small
// replacement written against the sdk/v3 packages of the same release: it runs
// programs through the upstream `pulumi-language-python-exec` script (shipped in
// the sdk/v3 module), resolves the interpreter with sdk/v3/python/toolchain
// (virtualenv / pip / uv / poetry options of Pulumi.yaml), reports the plugins of
// installed pulumi-* packages like upstream, supports `pulumi install` and
// `pulumi about`, and runs Python policy packs (run_plugin.go). Code generation
// (gen-sdk, convert, import --generate-code) and other plugin kinds written in
// Python are not implemented.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Exit code the exec script uses after it has already shown the user an actionable message.
const bailExitCode = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	execScript    string
}

func main() {
	fs := flag.NewFlagSet("pulumi-language-python", flag.ContinueOnError)
	logToStderr := fs.Bool("logtostderr", false, "log to stderr")
	verbose := fs.Int("v", 0, "log verbosity")
	fs.String("tracing", "", "tracing endpoint (ignored)")
	fs.String("root", "", "project root (ignored; taken from each request)")
	fs.String("virtualenv", "", "virtualenv (ignored; taken from each request)")
	useExecutor := fs.String("use-executor", "", "use this exec script instead of the one next to this binary")
	healthEvery := fs.Duration("healthcheck-interval", 5*time.Minute,
		"how often to check that the engine is still there; the host exits when it is not")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	logging.InitLogging(*logToStderr, *verbose, true)

	h := &host{execScript: *useExecutor}
	if fs.NArg() > 0 {
		h.engineAddress = fs.Arg(0)
	}
	if h.execScript == "" {
		self, err := os.Executable()
		if err != nil {
			fmt.Fprintf(os.Stderr, "cannot locate own executable: %v\n", err)
			os.Exit(1)
		}
		if resolved, err := filepath.EvalSymlinks(self); err == nil {
			self = resolved
		}
		h.execScript = filepath.Join(filepath.Dir(self), "pulumi-language-python-exec")
	}
	if _, err := os.Stat(h.execScript); err != nil {
		fmt.Fprintf(os.Stderr, "missing executor %s: %v\n", h.execScript, err)
		os.Exit(1)
	}

	// The engine closes a plugin by sending SIGINT to its process group and waits 5 s before it
	// kills it. Go's default exit on SIGINT does not apply when the engine itself was started
	// with SIGINT ignored (a background job of a non-interactive shell, nohup, some CI runners):
	// the host would inherit the ignored signal and every engine operation would wait the full
	// 5 s. Handle it explicitly, as upstream's host does: stop serving and exit.
	interrupted, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	cancel := make(chan bool)
	go func() {
		<-interrupted.Done()
		stop() // the signal goes back to how it was handled before
		close(cancel)
	}()

	// Like upstream's host: an engine that died without closing its plugins (SIGKILL) must not
	// leave this process behind. Unimplemented answers count as alive.
	if h.engineAddress != "" {
		if err := rpcutil.Healthcheck(interrupted, h.engineAddress, *healthEvery, stop); err != nil {
			fmt.Fprintf(os.Stderr, "could not start the engine health check: %v\n", err)
			os.Exit(1)
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "could not start language host RPC server: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "language host RPC stopped serving: %v\n", err)
		os.Exit(1)
	}
}

// pythonOptions maps Pulumi.yaml `runtime.options` onto the sdk toolchain options.
func pythonOptions(info *pulumirpc.ProgramInfo) (toolchain.PythonOptions, string, error) {
	opts := toolchain.PythonOptions{
		Root:       info.GetRootDirectory(),
		ProgramDir: info.GetProgramDirectory(),
		Toolchain:  toolchain.Auto,
	}
	if opts.ProgramDir == "" {
		opts.ProgramDir = opts.Root
	}
	var typechecker string
	if info.GetOptions() == nil {
		return opts, "", nil
	}
	m := info.GetOptions().AsMap()
	if v, ok := m["virtualenv"].(string); ok {
		opts.Virtualenv = v
	}
	if v, ok := m["toolchain"].(string); ok {
		switch strings.ToLower(v) {
		case "pip":
			opts.Toolchain = toolchain.Pip
		case "poetry":
			opts.Toolchain = toolchain.Poetry
		case "uv":
			opts.Toolchain = toolchain.Uv
		default:
			return opts, "", fmt.Errorf("unsupported toolchain option %q", v)
		}
	}
	if v, ok := m["typechecker"].(string); ok {
		switch strings.ToLower(v) {
		case "mypy", "pyright":
			typechecker = strings.ToLower(v)
		default:
			return opts, "", fmt.Errorf("unsupported typechecker option %q", v)
		}
	}
	return opts, typechecker, nil
}

func (h *host) toolchainFor(info *pulumirpc.ProgramInfo) (toolchain.Toolchain, toolchain.PythonOptions, string, error) {
	if info == nil {
		return nil, toolchain.PythonOptions{}, "", errors.New("request carries no program info")
	}
	opts, typechecker, err := pythonOptions(info)
	if err != nil {
		return nil, opts, "", err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	return tc, opts, typechecker, err
}

func (h *host) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(ctx context.Context, _ *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// listPulumiPackages prints name, version and pulumi-plugin.json (if any) of every installed
// distribution whose name starts with "pulumi-" or that ships a pulumi-plugin.json.
const listPulumiPackages = `
import importlib.util, json, os, sys
from importlib import metadata
out, seen = [], set()
for d in metadata.distributions():
    name = (d.metadata.get("Name") or "").lower().replace("_", "-")
    if not name or name in seen:
        continue
    seen.add(name)
    mod = name.replace("-", "_")
    candidates = [str(d.locate_file(os.path.join(mod, "pulumi-plugin.json")))]
    if name.startswith("pulumi-"):
        try:  # editable installs: the package is not under site-packages
            spec = importlib.util.find_spec(mod)
            for loc in (spec.submodule_search_locations or []) if spec else []:
                candidates.append(os.path.join(loc, "pulumi-plugin.json"))
        except Exception:
            pass
    plugin = None
    for path in candidates:
        try:
            with open(path) as f:
                plugin = json.load(f)
            break
        except (OSError, ValueError):
            continue
    if plugin is None and not name.startswith("pulumi-"):
        continue
    out.append({"name": name, "version": d.version, "plugin": plugin})
json.dump(out, sys.stdout)
`

type pyPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Plugin  *struct {
		Resource         bool   `json:"resource"`
		Name             string `json:"name"`
		Version          string `json:"version"`
		Server           string `json:"server"`
		Parameterization *struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			Value   []byte `json:"value"`
		} `json:"parameterization"`
	} `json:"plugin"`
}

// GetRequiredPackages mirrors upstream: every installed pulumi-* package (other than
// pulumi-policy) is a resource plugin dependency unless its pulumi-plugin.json says
// "resource": false. Without a pulumi-plugin.json the plugin name is the package name
// minus "pulumi-" and the version the package version.
func (h *host) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	tc, opts, _, err := h.toolchainFor(req.GetInfo())
	if err != nil {
		return nil, err
	}
	if err := tc.EnsureVenv(ctx, opts.Root, false, true, os.Stdout, os.Stderr); err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	cmd, err := tc.Command(ctx, "-c", listPulumiPackages)
	if err != nil {
		return nil, err
	}
	cmd.Dir = opts.ProgramDir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing installed Python packages: %w", err)
	}
	var pkgs []pyPackage
	if err := json.Unmarshal(out, &pkgs); err != nil {
		return nil, fmt.Errorf("parsing installed Python packages: %w", err)
	}
	var deps []*pulumirpc.PackageDependency
	for _, p := range pkgs {
		if p.Name == "pulumi-policy" {
			continue
		}
		dep := &pulumirpc.PackageDependency{Kind: "resource"}
		if p.Plugin != nil {
			if !p.Plugin.Resource {
				continue
			}
			dep.Name, dep.Version, dep.Server = p.Plugin.Name, p.Plugin.Version, p.Plugin.Server
			if pz := p.Plugin.Parameterization; pz != nil {
				dep.Parameterization = &pulumirpc.PackageParameterization{
					Name: pz.Name, Version: pz.Version, Value: pz.Value,
				}
			}
		}
		if dep.Name == "" {
			dep.Name = strings.TrimPrefix(p.Name, "pulumi-")
		}
		if dep.Version == "" {
			v, ok := pep440ToSemver(p.Version)
			if !ok {
				logging.V(5).Infof("skipping %s: cannot map version %q to a plugin version", p.Name, p.Version)
				continue
			}
			dep.Version = v
		}
		if !strings.HasPrefix(dep.Version, "v") {
			dep.Version = "v" + dep.Version
		}
		deps = append(deps, dep)
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: deps}, nil
}

func (h *host) GetRequiredPlugins(
	ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	resp, err := h.GetRequiredPackages(ctx, &pulumirpc.GetRequiredPackagesRequest{Info: req.GetInfo()})
	if err != nil {
		return nil, err
	}
	var plugins []*pulumirpc.PluginDependency
	for _, p := range resp.GetPackages() {
		if p.GetParameterization() != nil {
			continue
		}
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: p.GetName(), Kind: p.GetKind(), Version: p.GetVersion(), Server: p.GetServer(),
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

// pep440ToSemver handles plain release versions (N, N.N, N.N.N); pre/post/dev releases
// cannot be mapped reliably (upstream skips most of them too).
func pep440ToSemver(v string) (string, bool) {
	parts := strings.Split(v, ".")
	if len(parts) == 0 || len(parts) > 3 {
		return "", false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return "", false
		}
	}
	for len(parts) < 3 {
		parts = append(parts, "0")
	}
	return strings.Join(parts, "."), true
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	tc, opts, typechecker, err := h.toolchainFor(req.GetInfo())
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}

	if typechecker != "" {
		tcArgs := []string{"-m", typechecker}
		if typechecker == "mypy" {
			if venv, err := tc.VirtualEnvPath(ctx); err == nil && venv != "" {
				if rel, err := filepath.Rel(opts.ProgramDir, venv); err == nil {
					tcArgs = append(tcArgs, "--exclude", rel)
				}
			}
		}
		tcArgs = append(tcArgs, opts.ProgramDir)
		check, err := tc.Command(ctx, tcArgs...)
		if err != nil {
			return nil, err
		}
		check.Dir = opts.ProgramDir
		check.Stdout, check.Stderr = os.Stdout, os.Stderr
		if err := check.Run(); err != nil {
			return nil, fmt.Errorf("%s failed: %w", typechecker, err)
		}
	}

	args := []string{"-u", h.execScript}
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("project", req.GetProject())
	add("root_directory", req.GetInfo().GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", fmt.Sprintf("%v", req.GetDryRun()))
	add("parallel", fmt.Sprint(req.GetParallel()))
	add("organization", req.GetOrganization())
	program := req.GetProgram()
	if program == "" {
		program = "."
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return nil, err
	}
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	if cfg := req.GetConfig(); cfg != nil {
		b, err := json.Marshal(cfg)
		if err != nil {
			return nil, err
		}
		env = append(env, "PULUMI_CONFIG="+string(b))
	}
	if keys := req.GetConfigSecretKeys(); keys != nil {
		b, err := json.Marshal(keys)
		if err != nil {
			return nil, err
		}
		env = append(env, "PULUMI_CONFIG_SECRET_KEYS="+string(b))
	}
	cmd.Env = env
	if req.GetPwd() != "" {
		cmd.Dir = req.GetPwd()
	}
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	logging.V(5).Infof("language host launching: %s %s", cmd.Path, strings.Join(args, " "))

	if err := cmd.Run(); err != nil {
		_ = os.Stdout.Sync()
		_ = os.Stderr.Sync()
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == bailExitCode {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("problem executing program (could not run language executor): %v", err),
		}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	tc, opts, _, err := h.toolchainFor(req.GetInfo())
	if err != nil {
		return err
	}
	out := &serialStream[pulumirpc.InstallDependenciesResponse]{server: server}
	stdout := out.Writer(func(b []byte) *pulumirpc.InstallDependenciesResponse {
		return &pulumirpc.InstallDependenciesResponse{Stdout: b}
	})
	stderr := out.Writer(func(b []byte) *pulumirpc.InstallDependenciesResponse {
		return &pulumirpc.InstallDependenciesResponse{Stderr: b}
	})
	dir := opts.Root
	if req.GetIsPlugin() && opts.ProgramDir != "" {
		dir = opts.ProgramDir
	}
	// The toolchain prints its own progress ("Installing dependencies...", "Finished ...").
	return tc.InstallDependencies(server.Context(), dir, req.GetUseLanguageVersionTools(), true,
		stdout, stderr)
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	tc, _, _, err := h.toolchainFor(req.GetInfo())
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: info.PythonExecutable,
		Version:    info.PythonVersion.String(),
		Metadata:   map[string]string{"toolchain-version": info.ToolchainVersion.String()},
	}, nil
}

func (h *host) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, _, _, err := h.toolchainFor(req.GetInfo())
	if err != nil {
		return nil, err
	}
	pkgs, err := tc.ListPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	deps := make([]*pulumirpc.DependencyInfo, 0, len(pkgs))
	for _, p := range pkgs {
		deps = append(deps, &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func (h *host) Cancel(ctx context.Context, _ *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
