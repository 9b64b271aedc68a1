import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { DEFAULT_LANGUAGE, isLanguage, messages, type Language } from '../common/i18n';

const STORAGE_KEY = 'console.language';

export function savedLanguage(): Language {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLanguage(value) ? value : DEFAULT_LANGUAGE;
  } catch {
    return DEFAULT_LANGUAGE;
  }
}

export function setLanguage(language: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // storage unavailable: the choice lasts for this page only
  }
  void i18next.changeLanguage(language);
  document.documentElement.lang = language;
}

/** Every visible string goes through i18next, over the dictionaries in common/i18n. */
export function initI18n(): void {
  const language = savedLanguage();
  document.documentElement.lang = language;
  void i18next.use(initReactI18next).init({
    lng: language,
    fallbackLng: DEFAULT_LANGUAGE,
    resources: { vi: { translation: messages.vi }, en: { translation: messages.en } },
    interpolation: { escapeValue: false },
    returnNull: false,
  });
}
