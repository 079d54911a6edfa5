// The package ships no types: its default export is the Emscripten module factory.
declare module '@echogarden/fvad-wasm' {
  const factory: () => Promise<unknown>;
  export default factory;
}
