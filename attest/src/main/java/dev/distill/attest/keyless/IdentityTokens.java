package dev.distill.attest.keyless;

import dev.sigstore.oidc.client.GithubActionsOidcClient;
import dev.sigstore.oidc.client.OidcClient;
import dev.sigstore.oidc.client.OidcClients;
import dev.sigstore.oidc.client.OidcException;
import dev.sigstore.oidc.client.OidcToken;
import dev.sigstore.oidc.client.TokenStringOidcClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the OIDC identity token for keyless signing comes from, first match wins: {@code --identity-token}
 * (the token, or a file holding it), the environment variable {@code SIGSTORE_ID_TOKEN}, then the GitHub
 * Actions OIDC endpoint ({@code ACTIONS_ID_TOKEN_REQUEST_URL} and {@code _TOKEN}, audience {@code sigstore}).
 * Never an interactive browser flow: distill runs in CI with no one to click. The token itself is never
 * printed or put into an exception message.
 */
public final class IdentityTokens {
    private IdentityTokens() {
    }

    /** The token source; fails with what to do when there is none. */
    public static OidcClients resolve(String explicit, Map<String, String> env) throws KeylessException {
        if (explicit != null && !explicit.isBlank()) {
            return OidcClients.of(TokenStringOidcClient.from(readIfFile(explicit)));
        }
        String fromEnv = env.get("SIGSTORE_ID_TOKEN");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return OidcClients.of(TokenStringOidcClient.from(fromEnv.trim()));
        }
        if (env.containsKey("ACTIONS_ID_TOKEN_REQUEST_URL") && env.containsKey("ACTIONS_ID_TOKEN_REQUEST_TOKEN")) {
            return OidcClients.of(new InEnvironment(GithubActionsOidcClient.builder().build(), env));
        }
        throw new KeylessException("keyless signing needs an OIDC identity token: pass --identity-token TOKEN|FILE, "
                + "set SIGSTORE_ID_TOKEN, or run in GitHub Actions with 'permissions: id-token: write' "
                + "(or sign with --key)");
    }

    /**
     * An OIDC client asked with the environment distill runs in (the command's, which tests set) instead of the
     * process's, which is what sigstore-java would pass it.
     */
    private record InEnvironment(OidcClient client, Map<String, String> env) implements OidcClient {
        @Override
        public boolean isEnabled(Map<String, String> ignored) {
            return client.isEnabled(env);
        }

        @Override
        public OidcToken getIDToken(Map<String, String> ignored) throws OidcException {
            return client.getIDToken(env);
        }
    }

    private static String readIfFile(String value) throws KeylessException {
        String v = value.trim();
        // A JWT is three base64url parts joined by dots; anything else is taken as a file name.
        if (v.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*")) {
            return v;
        }
        Path p = Path.of(v);
        try {
            return Files.readString(p, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new KeylessException("--identity-token: neither a JWT nor a readable file (" + p + ")");
        }
    }
}
