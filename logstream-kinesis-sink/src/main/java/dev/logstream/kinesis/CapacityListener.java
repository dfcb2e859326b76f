package dev.logstream.kinesis;

/**
 * Receives the alerts of a {@link CapacityMonitor}. Called on the thread that recorded the put
 * which completed the evaluation (usually an SDK response thread): return quickly and never block.
 * An exception thrown here is logged and otherwise ignored.
 */
@FunctionalInterface
public interface CapacityListener {

  /**
   * Handles one alert.
   *
   * @param alert the alert
   */
  void onAlert(CapacityAlert alert);
}
