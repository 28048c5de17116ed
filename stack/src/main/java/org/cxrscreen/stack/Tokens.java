package org.cxrscreen.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cxrscreen.testsupport.DevTokens;

/**
 * {@code cxr token --user NAME --role ROLE [--role ROLE] [--hours N] [--work-dir DIR]}: prints a
 * development bearer token signed with the stack's key pair ({@code <work-dir>/jwt}), which the
 * results service of {@code cxr up} accepts. Production tokens come from the hospital's identity
 * provider instead.
 */
public final class Tokens {

    static final String USAGE = """
            usage: cxr token --user NAME --role radiologist|auditor|admin [--role ...] [--hours 8] [--work-dir .cxr]
            """;
    private static final Set<String> ROLES = Set.of("radiologist", "auditor", "admin");

    private Tokens() {
    }

    public static void main(String[] args) {
        String user = null;
        List<String> roles = new ArrayList<>();
        long hours = 8;
        Path work = Path.of(".cxr");
        try {
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--user" -> user = value;
                    case "--role" -> roles.add(value);
                    case "--hours" -> hours = Long.parseLong(value);
                    case "--work-dir" -> work = Path.of(value);
                    case "--home" -> work = Path.of(value).resolve(".cxr");
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
            if (user == null || user.isBlank() || roles.isEmpty() || !ROLES.containsAll(roles) || hours < 1) {
                throw new IllegalArgumentException("a user and at least one role of " + ROLES + " are needed");
            }
        } catch (RuntimeException e) {
            System.err.println("error: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        System.out.println(DevTokens.in(work.resolve("jwt")).token(user, Duration.ofHours(hours),
                roles.toArray(String[]::new)));
    }
}
