package dev.distill.oci.registry;

/**
 * A user name and secret for a registry, or an identity token (a refresh token from {@code docker login}).
 * {@link #toString()} never shows the secret.
 */
public record Credentials(String username, String password, String identityToken) {
    public static Credentials basic(String username, String password) {
        return new Credentials(username, password, null);
    }

    @Override
    public String toString() {
        return "Credentials[" + username + ", secret hidden]";
    }
}
