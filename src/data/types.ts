// The shapes every loader hands back: images as bytes in NHWC order, labels as class indices.
// Pure types, shared by the browser-safe IDX parser and the Node-only loaders.

/** Images as unsigned bytes, NHWC: `data[((i * height + y) * width + x) * channels + c]`. */
export interface ByteImages {
  data: Uint8Array;
  shape: [n: number, height: number, width: number, channels: number];
}

/** Images with one class index per image (`y.length === x.shape[0]`). */
export interface LabeledImages {
  x: ByteImages;
  y: Uint8Array;
}

/** What `loadMnist` and `loadIdxDirectory` return, like Keras' `load_data()`. */
export interface DataSet {
  train: LabeledImages;
  test: LabeledImages;
}
