public enum WireProtocol {}
