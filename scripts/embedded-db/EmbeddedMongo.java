import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The embedded database of `npm start` and the test suite: mongo-java-server speaking the MongoDB
 * wire protocol on loopback.
 *
 * Environment:
 *   EMBEDDED_DB_PORT   port to listen on (required)
 *   EMBEDDED_DB_HOST   address to bind; default 127.0.0.1 (never a public interface by accident)
 *   EMBEDDED_DB_FILE   H2 file that keeps the data across restarts; unset = in memory (tests)
 *
 * SIGTERM / SIGINT close the server and then the backend, so an H2 file is committed and closed
 * before the process exits.
 */
public final class EmbeddedMongo {
  public static void main(String[] args) throws Exception {
    String portText = System.getenv("EMBEDDED_DB_PORT");
    if (portText == null || portText.isBlank()) {
      System.err.println("EMBEDDED_DB_PORT is not set");
      System.exit(2);
    }
    int port = Integer.parseInt(portText.trim());
    String host = envOr("EMBEDDED_DB_HOST", "127.0.0.1");
    String file = System.getenv("EMBEDDED_DB_FILE");

    MongoBackend backend;
    if (file == null || file.isBlank()) {
      backend = new MemoryBackend();
    } else {
      Path parent = Path.of(file).toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      backend = new H2Backend(file);
    }
    MongoServer server = new MongoServer(backend);
    server.bind(host, port);

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // shutdown() stops accepting, closes client channels and closes the backend (H2 commits).
      server.shutdown();
      stopped.countDown();
    }, "embedded-db-shutdown"));

    System.out.println("embedded database listening on " + host + ":" + port + (file == null || file.isBlank() ? " (in memory)" : " (file " + file + ")"));
    System.out.flush();
    stopped.await();
  }

  private static String envOr(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
