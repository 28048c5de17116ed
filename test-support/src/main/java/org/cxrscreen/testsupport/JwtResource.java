package org.cxrscreen.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Quarkus test resource: a fresh key pair for the JVM, the service told to verify tokens with its
 * public key, and {@link #token} to mint tokens for any user and roles.
 */
public class JwtResource implements QuarkusTestResourceLifecycleManager {

    private static DevTokens tokens;

    static synchronized DevTokens tokens() {
        if (tokens == null) {
            try {
                tokens = DevTokens.in(Files.createTempDirectory("cxr-jwt"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tokens;
    }

    /** A token valid for an hour. */
    public static String token(String user, String... roles) {
        return tokens().token(user, Duration.ofHours(1), roles);
    }

    @Override
    public Map<String, String> start() {
        Path key = tokens().publicKey();
        return Map.of("mp.jwt.verify.publickey.location", key.toUri().toString(),
                "mp.jwt.verify.issuer", DevTokens.ISSUER);
    }

    @Override
    public void stop() {
        // the keys live for the JVM
    }
}
