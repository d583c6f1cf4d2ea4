/** A multipart/form-data body with one file field (what a browser's upload form sends). Pure. */

export function multipartFile(
  field: string,
  filename: string,
  type: string,
  content: Buffer,
  boundary = `----scaling-lab-load-${Math.random().toString(16).slice(2)}`,
): { body: Buffer; contentType: string } {
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    body: Buffer.concat([head, content, tail]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
