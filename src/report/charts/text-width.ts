/**
 * Width of a line of text in Arial-metric fonts (Arial, Helvetica, Liberation Sans), from the
 * standard Helvetica advance widths in 1/1000 em, so that Vega can lay out labels without a canvas.
 */

// Printable ASCII from space (32) to tilde (126).
const ASCII_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space ! " # $ % & ' ( ) * + , - . /
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0-9 : ; < = > ?
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ A-O
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P-Z [ \ ] ^ _
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` a-o
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p-z { | } ~
];

const OTHER_WIDTHS: Readonly<Record<string, number>> = {
  '×': 584, '±': 584, '≤': 584, '≥': 584, '≈': 584, '·': 278, '–': 556, '—': 1000, '→': 1000, '²': 333,
  'ρ': 578, 'τ': 480, 'σ': 600, 'µ': 556, 'μ': 556, '√': 549, '…': 1000, 'é': 556,
};

const DEFAULT_WIDTH = 600;

export function textWidth(text: string, fontSize: number): number {
  let units = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    units += code >= 32 && code <= 126 ? (ASCII_WIDTHS[code - 32] ?? DEFAULT_WIDTH) : (OTHER_WIDTHS[ch] ?? DEFAULT_WIDTH);
  }
  return (units * fontSize) / 1000;
}
