// Starts AWS's DynamoDB Local exactly as `java -jar DynamoDBLocal.jar` would, but listening on
// 127.0.0.1 only: the jar has no bind-address option and would otherwise accept connections on
// every interface. Run in source-file mode (java LoopbackDynamoDBLocal.java -inMemory -port N),
// with DynamoDBLocal.jar and DynamoDBLocal_lib/* on the class path.
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class LoopbackDynamoDBLocal {
    public static void main(String[] args) throws Exception {
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        // The Jetty server is built but not started yet, so its connector can still be moved.
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Server jetty = (Server) field.get(proxy);
        for (Connector connector : jetty.getConnectors()) {
            ((ServerConnector) connector).setHost("127.0.0.1");
        }
        proxy.start();
        proxy.join();
    }
}
