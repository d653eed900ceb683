/** Whether text holds Liquid (`{{ }}` or `{% %}`); plain text needs no engine (and loads none: liquidjs is large). */
export const isTemplate = (text: string): boolean => /\{[{%]/.test(text);
