// Base64 of raw bytes with the web platform's btoa/atob (also globals in Node ≥ 16), so the model format needs no
// Buffer and the same code saves and loads in the browser.

const CHUNK = 0x8000; // String.fromCharCode's argument count stays well under engines' limits

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return btoa(binary);
}

export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
