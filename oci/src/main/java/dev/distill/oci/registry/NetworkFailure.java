package dev.distill.oci.registry;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertificateException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import javax.net.ssl.SSLException;

/**
 * Why a connection failed, in our words, read from the exception chain of {@code java.net.http} (which wraps the
 * socket's exception, sometimes twice). Only a broken connection is worth another attempt: a refused connection,
 * an unknown host, a TLS failure or a timeout will not change in the seconds a retry waits, so retrying them only
 * made an unreachable registry take 17 s to report.
 */
public enum NetworkFailure {
    // Declared from the most telling to the least: a chain may hold several (a connect timeout wraps a
    // ConnectException, a certificate failure sits under an SSLHandshakeException), and the first one wins.
    UNKNOWN_HOST("unknown host", false),
    CONNECT_TIMEOUT("timed out connecting", false),
    TIMEOUT("timed out waiting for an answer", false),
    TLS_UNTRUSTED("TLS failure: the server's certificate is not trusted", false),
    NO_ROUTE("no route to host", false),
    REFUSED("connection refused", false),
    TLS("TLS failure: the handshake failed (does the server speak https?)", false),
    BROKEN("the connection broke off", true);

    private final String description;
    private final boolean retryable;

    NetworkFailure(String description, boolean retryable) {
        this.description = description;
        this.retryable = retryable;
    }

    /** The cause in a few words, e.g. "connection refused". */
    public String description() {
        return description;
    }

    /** Whether another attempt may succeed. */
    public boolean retryable() {
        return retryable;
    }

    /** The failure an exception (or one of its causes) stands for; {@link #BROKEN} for any other I/O failure. */
    public static NetworkFailure of(Throwable e) {
        NetworkFailure found = null;
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            NetworkFailure f = classify(t);
            if (f != null && (found == null || f.ordinal() < found.ordinal())) {
                found = f;
            }
        }
        return found == null ? BROKEN : found;
    }

    /** Whether the exception chain shows a network failure at all (and not, say, a full disk). */
    public static boolean isNetwork(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (classify(t) != null || t instanceof java.net.SocketException) {
                return true;
            }
        }
        return false;
    }

    private static NetworkFailure classify(Throwable t) {
        if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
            return UNKNOWN_HOST;
        }
        if (t instanceof NoRouteToHostException) {
            return NO_ROUTE;
        }
        if (t instanceof ConnectException) {
            return REFUSED;
        }
        if (t instanceof HttpConnectTimeoutException) {
            return CONNECT_TIMEOUT;
        }
        if (t instanceof HttpTimeoutException || t instanceof SocketTimeoutException) {
            return TIMEOUT;
        }
        if (t instanceof CertificateException || t instanceof CertPathBuilderException
                || t instanceof CertPathValidatorException) {
            return TLS_UNTRUSTED;
        }
        if (t instanceof SSLException) {
            return TLS;
        }
        return null;
    }
}
