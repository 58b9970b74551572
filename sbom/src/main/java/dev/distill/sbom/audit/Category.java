package dev.distill.sbom.audit;

import java.util.Locale;

/**
 * What an audit finding is about, with its severity and the points it costs the score (once per category
 * present: the score says how far an image is from distroless, not how many files it has).
 */
public enum Category {
    SHELL(Severity.HIGH, 15, "a shell lets an attacker run anything"),
    PACKAGE_MANAGER(Severity.HIGH, 15, "a package manager installs tools at run time"),
    SETUID(Severity.HIGH, 10, "set-user/group-ID programs are a privilege escalation path"),
    ROOT(Severity.HIGH, 10, "the container runs as root"),
    SECRET_ENV(Severity.HIGH, 10, "the image config sets variables that look like secrets"),
    NETWORK_TOOL(Severity.MEDIUM, 5, "network tools help an attacker fetch payloads and move laterally"),
    COMPILER(Severity.MEDIUM, 5, "compilers and debuggers build and inspect exploits in place"),
    WORLD_WRITABLE(Severity.MEDIUM, 5, "anyone can change it (and it is not a sticky directory)"),
    SHELL_ENTRYPOINT(Severity.MEDIUM, 5, "the entrypoint needs a shell"),
    DEVICE(Severity.LOW, 2, "device nodes belong to the runtime, not the image"),
    NO_ENTRYPOINT(Severity.LOW, 2, "no entrypoint or command: the image says nothing about what it runs"),
    UNOWNED(Severity.LOW, 2, "files no package accounts for are invisible to vulnerability scanners"),
    WASTED(Severity.LOW, 1, "bytes that upper layers replaced or deleted still ship in lower layers"),
    EXPOSED_PORT(Severity.INFO, 0, "the image declares a listening port");

    private final Severity severity;
    private final int points;
    private final String why;

    Category(Severity severity, int points, String why) {
        this.severity = severity;
        this.points = points;
        this.why = why;
    }

    public Severity severity() {
        return severity;
    }

    public int points() {
        return points;
    }

    public String why() {
        return why;
    }

    /** The name users write in {@code --fail-on}: {@code package-manager}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Category parse(String id) {
        for (Category c : values()) {
            if (c.id().equals(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown finding category '" + id + "'");
    }

    /** Severity levels, most severe first. */
    public enum Severity { HIGH, MEDIUM, LOW, INFO }
}
