import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.QueryExecutionException;

/**
 * Runs Neo4j Community as a Bolt server from the Maven Central jars, for machines without Docker.
 *
 * <p>Why a launcher and not the packaged server: the Maven artifacts carry no neo4j.conf, no
 * bin/ scripts and no neo4j-admin, and the packaged bootloader forks a second JVM that a pid
 * file would not see. This class is the whole server in one JVM: scripts/neo4j-local compiles
 * it with javac against the resolved classpath and runs it detached.
 *
 * <p>Environment (read by this class; scripts/neo4j-local sets them):
 * KG_NEO4J_HOME (data and logs), KG_NEO4J_PORT (Bolt, bound to 127.0.0.1), NEO4J_PASSWORD
 * (the password of user neo4j; auth stays on), KG_NEO4J_PAGECACHE (e.g. 512m).
 *
 * <p>Start-up has two phases so that Bolt never answers with the factory password: the first
 * opens the DBMS with Bolt off and sets the password of user neo4j on the system database
 * (the embedded API runs without a login, so no old password is needed), the second opens it
 * again with Bolt on. Then it writes its pid file and prints the ready line that the script
 * waits for. SIGTERM runs the shutdown hook, which closes the databases cleanly.
 */
public final class KgNeo4j {
    /** The line the start script waits for; keep in sync with scripts/neo4j-local. */
    static final String READY = "KG-NEO4J-READY";

    private KgNeo4j() {}

    public static void main(String[] args) throws Exception {
        Path home = Path.of(require("KG_NEO4J_HOME")).toAbsolutePath();
        int port = Integer.parseInt(System.getenv().getOrDefault("KG_NEO4J_PORT", "7687"));
        String password = require("NEO4J_PASSWORD");
        long pageCache = parseBytes(System.getenv().getOrDefault("KG_NEO4J_PAGECACHE", "512m"));
        if (password.length() < 8) {
            fail("NEO4J_PASSWORD must have at least 8 characters (Neo4j's minimum password length)");
        }
        Files.createDirectories(home.resolve("run"));
        Files.createDirectories(home.resolve("import"));

        long t0 = System.nanoTime();
        DatabaseManagementService setup = builder(home, port, pageCache, false).build();
        try {
            setPassword(setup, password);
        } finally {
            setup.shutdown();
        }
        long t1 = System.nanoTime();

        DatabaseManagementService dbms = builder(home, port, pageCache, true).build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("kg-neo4j: shutting down");
            dbms.shutdown();
            System.out.println("kg-neo4j: stopped");
            System.out.flush();
            stopped.countDown();
        }, "kg-neo4j-shutdown"));

        Path pidFile = home.resolve("run").resolve("neo4j.pid");
        Files.writeString(pidFile, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        System.out.printf("kg-neo4j: password phase %.1fs, server phase %.1fs%n",
                (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
        System.out.println(READY + " bolt://127.0.0.1:" + port + " neo4j " + neo4jVersion());
        System.out.flush();
        stopped.await();
    }

    /**
     * Sets the password of user neo4j; a password that is already the current one is fine.
     *
     * <p>Neo4j refuses to "change" a password to itself, and a restart with the same
     * NEO4J_PASSWORD is the usual case, so that one refusal counts as success.
     */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        try {
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (QueryExecutionException e) {
            if (!String.valueOf(e.getMessage()).contains("Old password and new password cannot be the same")) {
                throw e;
            }
        }
    }

    /** The configuration shared by both phases; only the Bolt switch differs. */
    private static DatabaseManagementServiceBuilder builder(Path home, int port, long pageCache, boolean bolt) {
        SocketAddress address = new SocketAddress("127.0.0.1", port);
        return new DatabaseManagementServiceBuilder(home)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "1 files")
                // LOAD CSV reads no host file (file:///etc/passwd, /proc/self/environ) and
                // only the import folder of this home (kg cypher refuses LOAD CSV as well).
                .setConfig(GraphDatabaseSettings.allow_file_urls, false)
                .setConfig(GraphDatabaseSettings.load_csv_file_url_root, home.resolve("import"))
                // Netty's graceful shutdown otherwise idles 5 s per event loop group after the
                // databases are already closed; stop would take 10 s for nothing.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5))
                .setConfig(BoltConnector.enabled, bolt)
                .setConfig(BoltConnector.listen_address, address)
                .setConfig(BoltConnector.advertised_address, address);
    }

    /** "512m", "1g", "1048576" to bytes; the setting itself wants a number. */
    static long parseBytes(String text) {
        String t = text.trim().toLowerCase();
        long unit = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            unit = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Long.parseLong(t) * unit;
        } catch (NumberFormatException e) {
            fail("KG_NEO4J_PAGECACHE is not a size like 512m: " + text);
            return 0;
        }
    }

    private static String neo4jVersion() {
        Package p = DatabaseManagementService.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    private static String require(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            fail(name + " is not set");
        }
        return value;
    }

    private static void fail(String message) {
        System.err.println("kg-neo4j: " + message);
        System.exit(2);
    }
}
