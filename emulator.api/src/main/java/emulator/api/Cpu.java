package emulator.api;
public interface Cpu {}
