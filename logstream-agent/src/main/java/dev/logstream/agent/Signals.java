package dev.logstream.agent;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles POSIX signals through {@code sun.misc.Signal} (module {@code jdk.unsupported}), looked up
 * reflectively: the API is not on every JVM, and javac warns about it at compile time (which this
 * module's {@code -Werror} turns into an error).
 */
final class Signals {

  private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

  private Signals() {}

  /**
   * Runs {@code action} on every delivery of the signal.
   *
   * @param name {@code HUP}, {@code TERM}, {@code INT}
   * @return whether the handler was installed (false on a JVM or platform without the signal)
   */
  static boolean handle(String name, Runnable action) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      Constructor<?> create = signal.getConstructor(String.class);
      Method install = signal.getMethod("handle", signal, handler);
      Object proxy =
          Proxy.newProxyInstance(
              handler.getClassLoader(),
              new Class<?>[] {handler},
              (self, method, args) -> {
                if (method.getName().equals("handle")) {
                  action.run();
                  return null;
                }
                return switch (method.getName()) {
                  case "hashCode" -> System.identityHashCode(self);
                  case "equals" -> self == args[0];
                  default -> "signal handler for SIG" + name;
                };
              });
      install.invoke(null, create.newInstance(name), proxy);
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.info("no handler for SIG{} on this platform: {}", name, e.toString());
      return false;
    }
  }
}
