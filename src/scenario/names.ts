// Name pools for the demo generator: common given names and surnames in Spanish,
// Chinese (Hanzi with Hanyu Pinyin) and English. Combined at random, so the people
// and companies of the scenario are fictional.

export const SPANISH_MALE = ['José', 'Juan', 'Luis', 'Carlos', 'Jesús', 'Miguel', 'Francisco', 'Jorge', 'Alejandro', 'Rafael', 'Ovidio', 'Joaquín', 'Ismael', 'Aureliano', 'Héctor', 'Ramón', 'Fausto', 'Julio', 'Óscar', 'Iván', 'Arturo', 'Rigoberto', 'Néstor', 'Ernesto', 'Gilberto', 'Sergio', 'Adán', 'Eduardo', 'Martín', 'Humberto'];
export const SPANISH_FEMALE = ['María', 'Guadalupe', 'Rosa', 'Ana', 'Leticia', 'Verónica', 'Araceli', 'Claudia', 'Griselda', 'Yesenia', 'Dulce', 'Marisol', 'Patricia', 'Sandra', 'Lucía', 'Beatriz', 'Esperanza', 'Rocío'];
export const SPANISH_SURNAMES = ['García', 'Hernández', 'López', 'Martínez', 'González', 'Pérez', 'Rodríguez', 'Sánchez', 'Ramírez', 'Flores', 'Guzmán', 'Zambada', 'Félix', 'Beltrán', 'Leyva', 'Caro', 'Quintero', 'Cárdenas', 'Carrillo', 'Fuentes', 'Meza', 'Valenzuela', 'Salazar', 'Ochoa', 'Gastélum', 'Bojórquez', 'Inzunza', 'Aispuro', 'Loaiza', 'Elenes', 'Mendoza', 'Oseguera', 'Valencia', 'Arreola', 'Tapia', 'Uriarte'];
export const SPANISH_NICKNAMES = ['El Chapito', 'El Güero', 'El Flaco', 'El Mayito', 'La Güera', 'El Jando', 'El Chino', 'El Gordo', 'El Contador', 'El Químico', 'El Ingeniero', 'El Tigre', 'El Mudo', 'La Jefa', 'El Compa', 'El Licenciado'];

/** [Hanzi, pinyin with tone marks] */
export const CHINESE_SURNAMES: [string, string][] = [['王', 'Wáng'], ['李', 'Lǐ'], ['张', 'Zhāng'], ['刘', 'Liú'], ['陈', 'Chén'], ['杨', 'Yáng'], ['黄', 'Huáng'], ['赵', 'Zhào'], ['吴', 'Wú'], ['周', 'Zhōu'], ['徐', 'Xú'], ['孙', 'Sūn'], ['马', 'Mǎ'], ['朱', 'Zhū'], ['胡', 'Hú'], ['郭', 'Guō'], ['何', 'Hé'], ['林', 'Lín'], ['罗', 'Luó'], ['郑', 'Zhèng']];
export const CHINESE_GIVEN: [string, string][] = [['伟', 'Wěi'], ['芳', 'Fāng'], ['娜', 'Nà'], ['敏', 'Mǐn'], ['静', 'Jìng'], ['强', 'Qiáng'], ['磊', 'Lěi'], ['军', 'Jūn'], ['洋', 'Yáng'], ['勇', 'Yǒng'], ['艳', 'Yàn'], ['杰', 'Jié'], ['涛', 'Tāo'], ['明', 'Míng'], ['超', 'Chāo'], ['秀英', 'Xiùyīng'], ['建华', 'Jiànhuá'], ['志强', 'Zhìqiáng'], ['晓明', 'Xiǎomíng'], ['海燕', 'Hǎiyàn'], ['国平', 'Guópíng'], ['丽娟', 'Lìjuān'], ['春生', 'Chūnshēng'], ['振宇', 'Zhènyǔ']];
/** Company name stems: [Hanzi, pinyin, English] */
export const CHINESE_COMPANY_WORDS: [string, string, string][] = [['远航', 'Yuanhang', 'Voyage'], ['康达', 'Kangda', 'Kangda'], ['华信', 'Huaxin', 'Huaxin'], ['新世纪', 'Xinshiji', 'New Century'], ['金石', 'Jinshi', 'Goldstone'], ['瑞祥', 'Ruixiang', 'Ruixiang'], ['恒通', 'Hengtong', 'Hengtong'], ['博大', 'Boda', 'Boda'], ['长江', 'Changjiang', 'Yangtze'], ['东方', 'Dongfang', 'Oriental'], ['隆盛', 'Longsheng', 'Longsheng'], ['天成', 'Tiancheng', 'Tiancheng']];
export const CHINESE_COMPANY_KINDS: [string, string][] = [['化工有限公司', 'Chemical Co., Ltd.'], ['生物科技有限公司', 'Biological Technology Co., Ltd.'], ['医药科技有限公司', 'Pharmaceutical Technology Co., Ltd.'], ['贸易有限公司', 'Trading Co., Ltd.'], ['国际物流有限公司', 'International Logistics Co., Ltd.']];
export const CHINESE_CITIES: [string, string, string][] = [['武汉', 'Wuhan', 'cn-wuhan'], ['上海', 'Shanghai', 'cn-shanghai'], ['广州', 'Guangzhou', 'cn-guangzhou'], ['石家庄', 'Shijiazhuang', 'cn-shijiazhuang'], ['深圳', 'Shenzhen', 'cn-shenzhen']];

// Arabic names as written in Arabic script and as a Latin-script list spells them.
export const ARABIC_GIVEN: [string, string][] = [['محمد', 'Mohammed'], ['أحمد', 'Ahmed'], ['حسن', 'Hassan'], ['خالد', 'Khalid'], ['عمر', 'Omar'], ['يوسف', 'Youssef'], ['إبراهيم', 'Ibrahim'], ['كريم', 'Karim'], ['طارق', 'Tariq'], ['سمير', 'Samir'], ['جمال', 'Jamal'], ['نبيل', 'Nabil'], ['فيصل', 'Faisal'], ['رشيد', 'Rashid'], ['ماجد', 'Majid'], ['وليد', 'Walid']];
export const ARABIC_SURNAMES: [string, string][] = [['حداد', 'Haddad'], ['خوري', 'Khoury'], ['منصور', 'Mansour'], ['صالح', 'Saleh'], ['عباس', 'Abbas'], ['قاسم', 'Qasim'], ['عثمان', 'Othman'], ['شريف', 'Sharif'], ['بكري', 'Bakri'], ['زيدان', 'Zidan'], ['سليمان', 'Suleiman'], ['جابر', 'Jaber'], ['ناصر', 'Nasser'], ['هاشم', 'Hashem'], ['مراد', 'Murad'], ['فارس', 'Fares']];

export const ENGLISH_FIRST = ['James', 'Michael', 'Robert', 'David', 'William', 'Richard', 'Joseph', 'Thomas', 'Christopher', 'Daniel', 'Matthew', 'Anthony', 'Mark', 'Steven', 'Ashley', 'Jessica', 'Amanda', 'Brittany', 'Jennifer', 'Sarah', 'Tyler', 'Brandon', 'Kevin', 'Kayla'];
export const ENGLISH_LAST = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Jackson', 'Martin', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Walker', 'Hall', 'Young'];

export const MX_COMPANY_PREFIX = ['Comercializadora', 'Importadora', 'Distribuidora', 'Agroquímicos', 'Servicios Logísticos', 'Farmacéutica', 'Inmobiliaria', 'Transportes'];
export const MX_COMPANY_STEM = ['del Pacífico', 'Sinaloense', 'Los Altos', 'Norteña', 'Valle Verde', 'Costa Azul', 'San Judas', 'Tres Ríos', 'La Esperanza', 'del Golfo', 'Bajío', 'Cañada'];
export const US_COMPANY_STEM = ['Desert Sun', 'Blue Mesa', 'Pacific Rim', 'Golden State', 'Sunbelt', 'Lone Star', 'Red Rock', 'Canyon', 'Frontier', 'Cactus', 'Harbor', 'Summit'];
export const US_COMPANY_KIND = ['Trading LLC', 'Auto Sales LLC', 'Imports Inc.', 'Logistics LLC', 'Check Cashing LLC', 'Wholesale Inc.'];
export const CARTEL_PLACES = ['del Pacífico', 'de Jalisco Nueva Generación', 'del Noroeste', 'de la Sierra', 'del Golfo', 'de Sonora'];

export const DECLARED_GOODS = ['industrial dye intermediates', 'pharmaceutical intermediates', 'plastic resin', 'auto parts', 'cosmetics', 'machine parts', 'food additives', 'ceramic tiles'];
export const ONLINE_PLATFORMS = ['marketplace', 'social media', 'darknet market', 'messaging channel'];
