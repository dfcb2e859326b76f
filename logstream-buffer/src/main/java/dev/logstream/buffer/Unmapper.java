package dev.logstream.buffer;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that unmaps a segment. Java 17 has no public unmap: a mapping lives until its
 * buffer is garbage-collected, which can keep gigabytes of deleted files mapped. {@code
 * sun.misc.Unsafe.invokeCleaner} (the route Kafka and Lucene take) unmaps at once; touching the
 * buffer afterwards crashes the JVM, so callers reach this only through {@link Segment}'s reference
 * count, after the last reader has let go.
 */
final class Unmapper {
  private static final Logger log = LoggerFactory.getLogger(Unmapper.class);
  private static final MethodHandle INVOKE_CLEANER = findInvokeCleaner();

  private Unmapper() {}

  /** Unmaps {@code map} now if the JVM allows it, else leaves it to the garbage collector. */
  static void unmap(MappedByteBuffer map) {
    if (INVOKE_CLEANER == null) {
      return;
    }
    try {
      INVOKE_CLEANER.invokeExact((ByteBuffer) map);
    } catch (Throwable e) {
      log.debug("could not unmap a segment; the garbage collector will", e);
    }
  }

  private static MethodHandle findInvokeCleaner() {
    try {
      Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
      Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
      theUnsafe.setAccessible(true);
      Object unsafe = theUnsafe.get(null);
      return MethodHandles.lookup()
          .findVirtual(
              unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
          .bindTo(unsafe);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.info("segments will be unmapped by the garbage collector: {}", e.toString());
      return null;
    }
  }
}
