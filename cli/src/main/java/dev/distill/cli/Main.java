package dev.distill.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.distill.attest.AttestException;
import dev.distill.oci.ImageException;
import dev.distill.oci.registry.NetworkFailure;
import dev.distill.oci.wire.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code distill} command line. {@link #run} is the testable entry point; {@link #main} only exits. */
@Command(name = "distill",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "SBOMs, signatures and verification for container images.",
        footer = {"", "Images: oci:DIR[:TAG|@DIGEST], oci-archive:FILE[:TAG|@DIGEST], "
                + "docker-archive:FILE[:REPO:TAG|@INDEX], dir:DIR, registry:REF, or a path whose kind is detected, "
                + "else a registry reference.",
            "", "Exit codes: 0 ok, 1 verification or policy failed, 2 usage, 3 bad input or unreachable source, "
                + "4 internal error."})
public final class Main implements Runnable {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int BAD_INPUT = 3;
    public static final int INTERNAL = 4;

    @Option(names = "--stacktrace", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the full stack trace of an error. Env: DISTILL_STACKTRACE.")
    boolean stacktrace;

    @Option(names = {"-q", "--quiet"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Print nothing but errors (and the output asked for). Env: DISTILL_QUIET.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Say what is being done, one line per step, on standard error. Env: DISTILL_VERBOSE.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private Map<String, String> env = Map.of();
    private PrintWriter err;
    private Feedback feedback;

    /** Progress and status notes for this run, as -q and -v and the terminal decide. */
    Feedback feedback() {
        if (feedback == null) {
            feedback = Feedback.of(quiet, verbose, err);
        }
        return feedback;
    }

    /** The environment the command runs in (tests pass their own). */
    Map<String, String> env() {
        return env;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs distill with the given arguments in the process's environment and returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(out, err, System.getenv(), args);
    }

    /** Runs distill with the given arguments and environment and returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
        Main main = new Main();
        main.env = Map.copyOf(env);
        main.err = err;
        CommandLine cl = new CommandLine(main);
        addSubcommands(cl, args);
        cl.setOut(out);
        cl.setErr(err);
        HelpFooter.install(cl);
        EnvironmentDefaults.install(cl, main.env);
        cl.setParameterExceptionHandler((e, a) -> {
            err.println("distill: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (main.feedback != null) {
                main.feedback.clear();
            }
            OutOfMemoryError oom = outOfMemory(e);
            int code = oom != null ? outOfMemory(args, err) : report(e, err);
            if (main.stacktrace) {
                e.printStackTrace(err);
            }
            return code;
        });
        int code;
        try {
            code = cl.execute(args);
        } catch (OutOfMemoryError e) {
            // Thrown through picocli, which handles exceptions only. The frames that held the memory are gone by
            // here, so there is room to say it in one line; what attest had stored is undone before it got here.
            if (main.feedback != null) {
                main.feedback.clear();
            }
            code = outOfMemory(args, err);
            if (main.stacktrace) {
                e.printStackTrace(err);
            }
        }
        if (main.feedback != null) {
            main.feedback.clear();
        }
        out.flush();
        err.flush();
        return code;
    }

    /** The subcommands, in the order help lists them. */
    private static final List<Class<?>> SUBCOMMANDS = List.of(SbomCommand.class, ConvertCommand.class,
            DiffCommand.class, AuditCommand.class, InspectCommand.class, KeyCommand.class, SignCommand.class,
            VerifyCommand.class, AttestCommand.class, VerifyAttestationCommand.class, SignBlobCommand.class, VerifyBlobCommand.class,
            TreeCommand.class, ProvenanceCommand.class, PromoteCommand.class, AdmissionCommand.class,
            CompletionCommand.class, CommandLine.HelpCommand.class);

    /**
     * Adds the one subcommand the arguments name, or all of them (for help, a usage error, or no command). picocli
     * reads every option of every command it is given through reflection, which was about half of the start-up of
     * a run that uses one of them.
     */
    static void addSubcommands(CommandLine cl, String... args) {
        String name = null;
        for (String a : args) {
            if (!a.startsWith("-")) {
                name = a;
                break;
            }
            if (a.equals("--")) {
                break;
            }
        }
        List<String> all = List.of(args);
        if (name == null && (all.contains("--version") || all.contains("-V")) && !all.contains("--help")
                && !all.contains("-h")) {
            return; // the version needs no command
        }
        for (Class<?> c : SUBCOMMANDS) {
            Command command = c.getAnnotation(Command.class);
            if (name != null && command.name().equals(name) && c != CommandLine.HelpCommand.class) {
                cl.addSubcommand(c);
                return;
            }
        }
        for (Class<?> c : SUBCOMMANDS) {
            cl.addSubcommand(c);
        }
    }

    /** The OutOfMemoryError in the cause chain (a thread of a library may have met it), or null. */
    private static OutOfMemoryError outOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError o) {
                return o;
            }
        }
        return null;
    }

    /** One line for a run that ran out of heap: what it was doing and how to give it more; exit 3. */
    static int outOfMemory(String[] args, PrintWriter err) {
        String command = "distill";
        for (String a : args) {
            if (!a.startsWith("-")) {
                command = a;
                break;
            }
        }
        // The commands that take the option.
        boolean attestations = command.equals("attest") || command.equals("verify-attestation");
        err.println("distill: error: out of memory while running " + command + ": raise the Java heap "
                + "(DISTILL_JAVA_OPTS=-Xmx2g for the distill script, JAVA_TOOL_OPTIONS=-Xmx2g for java -jar)"
                + (attestations ? " or lower --max-attestation-bytes" : ""));
        err.flush();
        return BAD_INPUT;
    }

    /** One line naming the input and what is wrong; the exit code for it. */
    static int report(Exception e, PrintWriter err) {
        if (e instanceof AttestException a && a.verificationFailed()) {
            err.println("distill: verification failed: " + e.getMessage());
            return FAILED;
        }
        if (e instanceof java.io.UncheckedIOException u) {
            return report(u.getCause(), err);
        }
        if (e instanceof ImageException || e instanceof AttestException) {
            err.println("distill: error: " + e.getMessage());
            return BAD_INPUT;
        }
        if (e instanceof NoSuchFileException n) {
            err.println("distill: error: no such file: " + n.getFile());
            return BAD_INPUT;
        }
        if (e instanceof AccessDeniedException a) {
            err.println("distill: error: permission denied: " + a.getFile());
            return BAD_INPUT;
        }
        if (e instanceof JsonProcessingException j) {
            // Jackson's own text names Java types and its settings; where it went wrong is what helps.
            err.println("distill: error: a document " + Json.problem(j));
            return BAD_INPUT;
        }
        if (e instanceof IOException && NetworkFailure.isNetwork(e)) {
            err.println("distill: error: " + NetworkFailure.of(e).description());
            return BAD_INPUT;
        }
        if (e instanceof IOException) {
            err.println("distill: error: " + e.getMessage());
            return BAD_INPUT;
        }
        err.println("distill: internal error: " + e + " (run with --stacktrace for details)");
        return INTERNAL;
    }

    /** distill's version, as Maven wrote it into the jar. */
    static String version() {
        Properties p = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"distill " + version()};
        }
    }
}
