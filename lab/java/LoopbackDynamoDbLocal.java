// DynamoDB Local bound to 127.0.0.1 only. DynamoDB Local has no host option (`java -jar DynamoDBLocal.jar
// -help`): its DynamoDBProxyServer builds a Jetty Server on all interfaces. This launcher builds the server
// exactly as DynamoDB Local's own main does, from the same command-line options, then sets the host of its
// Jetty connector to loopback before starting it. Run as a single-file program (JDK 11+):
//   java -cp DynamoDBLocal.jar:DynamoDBLocal_lib/* LoopbackDynamoDbLocal.java -inMemory -sharedDb -port N
// The lab (lab/dynamodb-local.ts) starts it; docs/lab.md explains why.
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    int bound = 0;
    for (Connector connector : server.getConnectors()) {
      if (connector instanceof ServerConnector) {
        ((ServerConnector) connector).setHost("127.0.0.1");
        bound++;
      }
    }
    if (bound == 0) throw new IllegalStateException("DynamoDB Local has no ServerConnector to bind to loopback");
    // Exit when the parent (the lab) goes away: its end of our stdin closes.
    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() != -1) {}
      } catch (Exception ignored) {
      }
      Runtime.getRuntime().halt(0);
    });
    watchdog.setDaemon(true);
    watchdog.start();
    proxy.start();
    proxy.join();
  }
}
